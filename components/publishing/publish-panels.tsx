"use client";
// Publishing panels for editors. What goes public is chosen explicitly here: the public title
// of each item, whether to withhold the location, and which regions of a picture to blur.
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent, type PointerEvent } from "react";
import type { PublishableFile } from "@/lib/domain/publication";
import { publishIncidentAction, publishItemAction, unpublishIncidentAction, unpublishItemAction } from "@/app/projects/[slug]/publish/actions";
import { isPublishableState } from "@/lib/domain/review-workflow";

type Result = { ok: true; message?: string } | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

function errorText(result: Result): string | null {
  if (result.ok) return null;
  const first = Object.entries(result.fieldErrors ?? {})[0];
  return first ? `${result.error} ${first[1][0] ?? ""}`.trim() : result.error;
}

/** `/projects/<slug>/items` from any page path inside the project. */
function itemsBase(path: string): string {
  const [, projects, slug] = path.split("/");
  return `/${projects}/${slug}/items`;
}

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function Feedback({ message }: { message: { kind: "error" | "notice"; text: string } | null }) {
  if (!message) return null;
  return (
    <p className={message.kind} role={message.kind === "error" ? "alert" : "status"} data-testid="publish-feedback">
      {message.text}
    </p>
  );
}

function UnpublishForm({ onSubmit, label, extra }: { onSubmit: (reason: string, publicNote: string, form: FormData) => Promise<void>; label: string; extra?: React.ReactNode }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" className="danger" onClick={() => setOpen(true)} data-testid="unpublish-open">
        {label}
      </button>
    );
  }
  return (
    <form
      className="stack"
      data-testid="unpublish-form"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        await onSubmit(String(form.get("reason") ?? ""), String(form.get("publicNote") ?? ""), form);
      }}
    >
      <label>
        Reason (kept in the audit log)
        <textarea name="reason" required minLength={3} rows={2} />
      </label>
      <label>
        Public note for the changelog (optional)
        <input name="publicNote" maxLength={500} />
      </label>
      {extra}
      <div className="row-actions">
        <button type="submit" className="danger">
          Confirm: remove from the public site
        </button>
        <button type="button" className="link" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export interface IncidentPublishProps {
  path: string;
  publicUrl: string;
  state: {
    incidentId: string;
    version: number;
    published: { publishedAt: string; updatedAt: string; withholdLocation: boolean } | null;
    candidates: Array<{ itemId: string; reference: string; title: string; status: string; graphic: boolean; published: boolean; publicTitle: string | null }>;
  };
}

export function PublishIncidentPanel({ path, publicUrl, state }: IncidentPublishProps) {
  const router = useRouter();
  const [message, setMessage] = useState<{ kind: "error" | "notice"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const publish = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // Only the choice of items: each keeps the title, blur regions and files of its own publish.
    const items = state.candidates.filter((c) => c.published && form.get(`include-${c.itemId}`) === "on").map((c) => ({ itemId: c.itemId }));
    setBusy(true);
    const result = await publishIncidentAction({ incidentId: state.incidentId, expectedVersion: state.version, withholdLocation: form.get("withholdLocation") === "on", items, note: String(form.get("note") ?? "") }, path);
    setBusy(false);
    setMessage(result.ok ? { kind: "notice", text: `Published with ${result.data.items} evidence item(s). Public copies of the media are being prepared.` } : { kind: "error", text: errorText(result) ?? "" });
    if (result.ok) router.refresh();
  };

  const unpublish = async (reason: string, publicNote: string, form: FormData) => {
    const result = await unpublishIncidentAction({ incidentId: state.incidentId, reason, publicNote, alsoItems: form.get("alsoItems") === "on" }, path);
    setMessage(result.ok ? { kind: "notice", text: "Removed from the public site." } : { kind: "error", text: errorText(result) ?? "" });
    if (result.ok) router.refresh();
  };

  return (
    <section className="panel" aria-labelledby="publishing" data-testid="publish-incident-panel">
      <h2 id="publishing">Publishing</h2>
      {state.published ? (
        <p data-testid="publication-status">
          <span className="badge PUBLISHED">public</span> since {dateTime.format(new Date(state.published.publishedAt))} UTC, last updated {dateTime.format(new Date(state.published.updatedAt))} UTC ·{" "}
          <a href={publicUrl} target="_blank" rel="noreferrer">
            public page
          </a>
        </p>
      ) : (
        <p className="muted" data-testid="publication-status">
          Not public. Publishing shows only public fields; internal notes, poster handles, reviewers and custody stay internal.
        </p>
      )}
      <Feedback message={message} />
      <form className="stack" onSubmit={publish} data-testid="publish-incident-form">
        <label className="check">
          <input type="checkbox" name="withholdLocation" defaultChecked={state.published?.withholdLocation ?? false} /> Withhold the location entirely
        </label>
        <fieldset>
          <legend>Evidence to show with it</legend>
          <p className="small muted">
            Each item is shown as it was published from its own page (public title, description, blur regions and files); publishing the incident changes none of that.
          </p>
          {state.candidates.length === 0 ? <p className="muted small">No verified evidence is linked yet.</p> : null}
          {state.candidates.map((c) => (
            <div key={c.itemId} className="publish-candidate" data-testid={`candidate-${c.reference}`}>
              <label className="check">
                <input type="checkbox" name={`include-${c.itemId}`} defaultChecked={c.published} disabled={!c.published} data-testid={`include-${c.reference}`} />{" "}
                <span className="mono">{c.reference}</span> {c.published ? <span dir="auto">{c.publicTitle}</span> : null}
                {c.published ? <span className="badge PUBLISHED">public</span> : null}
                {c.graphic ? <span className="badge danger">graphic: shown blurred</span> : null}
              </label>
              {c.published ? null : (
                <p className="small muted">
                  Not public yet: <a href={`${itemsBase(path)}/${c.reference}#item-publishing`}>publish {c.reference} from its page</a> first, where its public title, blur regions and files are decided.
                </p>
              )}
            </div>
          ))}
        </fieldset>
        <label>
          Public note for the changelog (optional)
          <input name="note" maxLength={500} />
        </label>
        <button type="submit" disabled={busy} data-testid="publish-incident">
          {state.published ? "Update the public version" : "Publish incident"}
        </button>
      </form>
      {state.published ? (
        <UnpublishForm
          label="Unpublish…"
          onSubmit={unpublish}
          extra={
            <label className="check">
              <input type="checkbox" name="alsoItems" defaultChecked /> Also remove its evidence (unless public under another incident)
            </label>
          }
        />
      ) : null}
    </section>
  );
}

type Region = { mediaFileId: string; x: number; y: number; w: number; h: number };

export interface ItemPublishProps {
  path: string;
  publicUrl: string;
  state: {
    itemId: string;
    version: number;
    status: string;
    graphic: boolean;
    published: { publishedAt: string; updatedAt: string; title: string; description: string; withholdLocation: boolean } | null;
    redactions: Region[];
    files: PublishableFile[];
    publicMedia: number;
  };
}

type PreviewImage = { mediaFileId: string; thumbnailId: string; filename: string };

/** Drag on a picture to mark a region to blur in the public copy. */
function RegionEditor({ image, regions, graphic, onAdd, onRemove }: { image: PreviewImage; regions: Region[]; graphic: boolean; onAdd: (r: Region) => void; onRemove: (index: number) => void }) {
  const box = useRef<HTMLDivElement>(null);
  // Graphic material stays blurred behind a click here too, as everywhere else in the app.
  const [revealed, setRevealed] = useState(!graphic);
  const [draft, setDraft] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);
  const point = (event: PointerEvent) => {
    const rect = box.current!.getBoundingClientRect();
    return { x: Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)), y: Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)) };
  };
  const mine = regions.map((r, index) => ({ r, index })).filter(({ r }) => r.mediaFileId === image.mediaFileId);
  return (
    <figure className="region-editor">
      <div
        ref={box}
        className="region-canvas"
        onPointerDown={(event) => {
          const p = point(event);
          (event.target as HTMLElement).setPointerCapture?.(event.pointerId);
          setDraft({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
        }}
        onPointerMove={(event) => draft && setDraft({ ...draft, x1: point(event).x, y1: point(event).y })}
        onPointerUp={() => {
          if (draft) {
            const x = Math.min(draft.x0, draft.x1);
            const y = Math.min(draft.y0, draft.y1);
            const w = Math.abs(draft.x1 - draft.x0);
            const h = Math.abs(draft.y1 - draft.y0);
            if (w > 0.01 && h > 0.01) onAdd({ mediaFileId: image.mediaFileId, x, y, w, h });
          }
          setDraft(null);
        }}
      >
        <img src={`/api/derivatives/${image.thumbnailId}`} alt={`Preview of ${image.filename}`} draggable={false} className={revealed ? undefined : "graphic-hidden"} />
        {mine.map(({ r, index }) => (
          <span key={index} className="region" style={{ left: `${r.x * 100}%`, top: `${r.y * 100}%`, width: `${r.w * 100}%`, height: `${r.h * 100}%` }} />
        ))}
        {draft ? (
          <span
            className="region draft"
            style={{ left: `${Math.min(draft.x0, draft.x1) * 100}%`, top: `${Math.min(draft.y0, draft.y1) * 100}%`, width: `${Math.abs(draft.x1 - draft.x0) * 100}%`, height: `${Math.abs(draft.y1 - draft.y0) * 100}%` }}
          />
        ) : null}
      </div>
      <figcaption className="small">
        {revealed ? null : (
          <button type="button" className="link" onClick={() => setRevealed(true)}>
            Graphic: show the picture to mark regions
          </button>
        )}{" "}
        {image.filename}: drag over faces or other identifying details to blur them in the public copy.
        {mine.map(({ index }, n) => (
          <button key={index} type="button" className="link" onClick={() => onRemove(index)}>
            remove region {n + 1}
          </button>
        ))}
      </figcaption>
    </figure>
  );
}

export function PublishItemPanel({ path, publicUrl, state }: ItemPublishProps) {
  const router = useRouter();
  const [message, setMessage] = useState<{ kind: "error" | "notice"; text: string } | null>(null);
  const [regions, setRegions] = useState<Region[]>(state.redactions);
  const [included, setIncluded] = useState<Set<string>>(() => new Set(state.files.filter((f) => f.included).map((f) => f.mediaFileId)));
  const toggle = (id: string, on: boolean) => setIncluded((current) => {
    const next = new Set(current);
    if (on) next.add(id);
    else next.delete(id);
    return next;
  });
  const [busy, setBusy] = useState(false);
  const publishable = isPublishableState(state.status);

  const publish = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await publishItemAction(
      {
        itemId: state.itemId,
        expectedVersion: state.version,
        title: String(form.get("publicTitle") ?? ""),
        description: String(form.get("publicDescription") ?? ""),
        withholdLocation: form.get("withholdLocation") === "on",
        // Regions on files left out are dropped: they would protect nothing and confuse the record.
        redactions: regions.filter((r) => included.has(r.mediaFileId)),
        mediaFileIds: state.files.filter((f) => included.has(f.mediaFileId)).map((f) => f.mediaFileId),
      },
      path,
    );
    setBusy(false);
    setMessage(result.ok ? { kind: "notice", text: "Published. Public copies of the media are being prepared." } : { kind: "error", text: errorText(result) ?? "" });
    if (result.ok) router.refresh();
  };

  const unpublish = async (reason: string, publicNote: string) => {
    const result = await unpublishItemAction({ itemId: state.itemId, expectedVersion: state.version, reason, publicNote }, path);
    setMessage(result.ok ? { kind: "notice", text: "Removed from the public site." } : { kind: "error", text: errorText(result) ?? "" });
    if (result.ok) router.refresh();
  };

  return (
    <section className="panel" aria-labelledby="item-publishing" data-testid="publish-item-panel">
      <h2 id="item-publishing">Publishing</h2>
      {state.published ? (
        <p data-testid="item-publication-status">
          <span className="badge PUBLISHED">public</span> since {dateTime.format(new Date(state.published.publishedAt))} UTC · {state.publicMedia} public media file(s) ·{" "}
          <a href={publicUrl} target="_blank" rel="noreferrer">
            public page
          </a>
        </p>
      ) : (
        <p className="muted" data-testid="item-publication-status">
          {publishable ? "Not public." : "Only verified items can be published."}
        </p>
      )}
      <Feedback message={message} />
      {publishable ? (
        <form className="stack" onSubmit={publish} data-testid="publish-item-form">
          <label>
            Public title
            {/* Never the internal title: public text starts empty until an editor writes it. */}
            <input name="publicTitle" defaultValue={state.published?.title ?? ""} required maxLength={200} dir="auto" />
          </label>
          <label>
            Public description (optional)
            <textarea name="publicDescription" defaultValue={state.published?.description ?? ""} rows={3} maxLength={4000} dir="auto" />
          </label>
          <label className="check">
            <input type="checkbox" name="withholdLocation" defaultChecked={state.published?.withholdLocation ?? false} /> Withhold the location entirely
          </label>
          {state.graphic ? <p className="small sensitive">Flagged graphic: the public page shows a blurred copy behind a warning.</p> : null}
          <fieldset data-testid="publish-files">
            <legend>Files to publish</legend>
            <p className="small muted">Public copies are re-encoded without metadata. Screenshots and HTML of source pages show the posting account: they stay internal unless you tick them.</p>
            {state.files.length === 0 ? <p className="small muted">This item has no files: only its text is published.</p> : null}
            {state.files.map((file) => {
              const publishableFile = file.kind !== "other";
              const on = publishableFile && included.has(file.mediaFileId);
              return (
                <div key={file.mediaFileId} className="publish-file" data-testid={`publish-file-${file.filename}`}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={on}
                      disabled={!publishableFile}
                      onChange={(event) => toggle(file.mediaFileId, event.currentTarget.checked)}
                      aria-describedby={`file-note-${file.mediaFileId}`}
                    />{" "}
                    <span className="mono">{file.filename}</span> <span className="muted small">{file.mime}</span>
                    {file.isPageCapture ? <span className="badge danger">page capture</span> : null}
                  </label>
                  <span id={`file-note-${file.mediaFileId}`} className="small muted">
                    {!publishableFile
                      ? " Never published (not a photo or video)."
                      : file.isPageCapture
                        ? " Shows the source page and its poster: publish only if that is safe."
                        : on
                          ? ""
                          : " Stays internal."}
                  </span>
                  {on && file.preview ? (
                    <RegionEditor
                      image={{ mediaFileId: file.mediaFileId, thumbnailId: file.preview.id, filename: file.filename }}
                      regions={regions}
                      graphic={state.graphic}
                      onAdd={(r) => setRegions([...regions, r])}
                      onRemove={(i) => setRegions(regions.filter((_, n) => n !== i))}
                    />
                  ) : null}
                  {on && !file.preview ? <p className="small muted">No preview yet (still being processed): blur regions can be marked once it is ready.</p> : null}
                </div>
              );
            })}
          </fieldset>
          <button type="submit" disabled={busy} data-testid="publish-item">
            {state.published ? "Update the public version" : "Publish item"}
          </button>
        </form>
      ) : null}
      {state.published ? <UnpublishForm label="Unpublish…" onSubmit={unpublish} /> : null}
    </section>
  );
}
