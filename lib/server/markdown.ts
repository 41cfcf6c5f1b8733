import "server-only";
import MarkdownIt from "markdown-it";

// Raw HTML is disabled (escaped, never passed through) and markdown-it's link validator refuses
// javascript:, vbscript:, file: and most data: URLs, so rendered comments cannot carry script.
// Links get http(s) only when written so; anything markdown-it accepts as a link is followed
// only on a click, in a new tab, with no referrer.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet("target", "_blank");
  token.attrSet("rel", "noopener noreferrer nofollow");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// Images are never embedded: an <img> pointing elsewhere would load the moment anyone (or any
// API client rendering the HTML) opens the item, telling whoever runs that server who is looking
// at this evidence, from where and when. A Markdown image becomes a plain link to it instead.
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet("src") ?? "");
  const text = self.renderInlineAsText(token.children ?? [], options, env) || src;
  const escape = md.utils.escapeHtml;
  return `<a href="${escape(src)}" target="_blank" rel="noopener noreferrer nofollow">${escape(`Image: ${text}`)}</a>`;
};

export function renderMarkdown(source: string): string {
  return md.render(source);
}
