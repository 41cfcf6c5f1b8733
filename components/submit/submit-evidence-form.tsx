"use client";
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import * as tus from "tus-js-client";
import { previewDuplicatesAction, submitEvidenceAction } from "@/app/projects/[slug]/actions";
import type { DuplicateCandidate } from "@/lib/domain/evidence";

interface FileState {
  key: string;
  file: File;
  progress: number;
  status: "uploading" | "paused" | "done" | "error";
  uploadId?: string;
  error?: string;
  resumed?: boolean;
}

interface Props {
  projectId: string;
  projectSlug: string;
  maxBytes: number;
  platforms: Array<{ value: string; label: string }>;
  sensitivity: Array<{ name: string; label: string }>;
}

const CHUNK_BYTES = 32 * 1024 * 1024;

function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function SubmitEvidenceForm({ projectId, projectSlug, maxBytes, platforms, sensitivity }: Props) {
  const router = useRouter();
  const [files, setFiles] = useState<FileState[]>([]);
  const uploads = useRef(new Map<string, tus.Upload>());
  const [duplicates, setDuplicates] = useState<DuplicateCandidate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [submitting, setSubmitting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const update = useCallback((key: string, patch: Partial<FileState>) => {
    setFiles((current) => current.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  }, []);

  const startUpload = useCallback(
    (file: File, key: string) => {
      const upload = new tus.Upload(file, {
        endpoint: "/api/uploads",
        chunkSize: CHUNK_BYTES,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        metadata: { filename: file.name, filetype: file.type, projectId },
        // Lets a reload or a server restart resume the same file instead of starting again.
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: (sent, total) => update(key, { progress: total ? sent / total : 0, status: "uploading" }),
        onSuccess: () => {
          const uploadId = upload.url?.split("/").filter(Boolean).pop();
          update(key, { progress: 1, status: "done", uploadId });
          setDuplicates(null);
        },
        onError: (err) => {
          const response = (err as tus.DetailedError).originalResponse;
          const body = response?.getBody()?.trim();
          update(key, { status: "error", error: body || "The upload failed. Check your connection and retry." });
        },
      });
      uploads.current.set(key, upload);
      void upload.findPreviousUploads().then((previous) => {
        if (previous[0]) {
          upload.resumeFromPreviousUpload(previous[0]);
          update(key, { resumed: true });
        }
        upload.start();
      });
    },
    [projectId, update],
  );

  function addFiles(list: FileList | null) {
    if (!list) return;
    const added: FileState[] = [];
    for (const file of Array.from(list)) {
      const key = `${file.name}-${file.size}-${file.lastModified}-${Math.random().toString(36).slice(2, 7)}`;
      if (file.size > maxBytes) {
        added.push({ key, file, progress: 0, status: "error", error: `Larger than the ${formatBytes(maxBytes)} limit.` });
        continue;
      }
      if (file.size === 0) {
        added.push({ key, file, progress: 0, status: "error", error: "The file is empty." });
        continue;
      }
      added.push({ key, file, progress: 0, status: "uploading" });
      startUpload(file, key);
    }
    setFiles((current) => [...current, ...added]);
  }

  function togglePause(entry: FileState) {
    const upload = uploads.current.get(entry.key);
    if (!upload) return;
    if (entry.status === "paused") {
      upload.start();
      update(entry.key, { status: "uploading" });
    } else {
      void upload.abort();
      update(entry.key, { status: "paused" });
    }
  }

  function removeFile(entry: FileState) {
    void uploads.current.get(entry.key)?.abort();
    uploads.current.delete(entry.key);
    setFiles((current) => current.filter((f) => f.key !== entry.key));
    setDuplicates(null);
  }

  function collect() {
    const form = new FormData(formRef.current!);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const sourceUrls = text("sourceUrls")
      .split(/\s+/)
      .map((u) => u.trim())
      .filter(Boolean);
    return {
      projectId,
      title: text("title"),
      description: text("description"),
      uploadIds: files.filter((f) => f.status === "done" && f.uploadId).map((f) => f.uploadId!),
      sourceUrls,
      platform: text("platform") || undefined,
      postUrl: text("postUrl"),
      posterHandle: text("posterHandle"),
      platformUploadedAt: text("platformUploadedAt"),
      claimedPlace: text("claimedPlace"),
      claimedDate: text("claimedDate"),
      language: text("language"),
      ...Object.fromEntries(sensitivity.map((s) => [s.name, form.get(s.name) === "on"])),
    };
  }

  async function onSubmit(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    setFieldErrors({});
    if (files.some((f) => f.status === "uploading" || f.status === "paused")) {
      setError("Wait for the uploads to finish (or remove them) before submitting.");
      return;
    }
    const input = collect();
    setSubmitting(true);
    try {
      if (duplicates === null) {
        // First press: show what already matches, and submit only if nothing does.
        const preview = await previewDuplicatesAction({ projectId, uploadIds: input.uploadIds, sourceUrls: input.sourceUrls });
        if (!preview.ok) {
          setError(preview.error);
          setFieldErrors(preview.fieldErrors ?? {});
          return;
        }
        setDuplicates(preview.data);
        if (preview.data.length > 0) return;
      }
      const result = await submitEvidenceAction(input);
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        return;
      }
      router.push(`/projects/${projectSlug}/items/${result.data.reference}`);
    } finally {
      setSubmitting(false);
    }
  }

  const fieldError = (name: string) =>
    fieldErrors[name] ? <span className="field-error">{fieldErrors[name]!.join("; ")}</span> : null;

  return (
    <form ref={formRef} onSubmit={onSubmit} className="submit-grid" noValidate>
      <section className="panel" aria-labelledby="files-heading">
        <h2 id="files-heading" style={{ marginTop: 0 }}>Files</h2>
        <label className="dropzone">
          Choose photos or videos (up to {formatBytes(maxBytes)} each)
          <input type="file" multiple accept="image/*,video/*" onChange={(e) => addFiles(e.currentTarget.files)} data-testid="file-input" />
        </label>
        <ul className="upload-list" aria-live="polite">
          {files.map((f) => (
            <li key={f.key} data-testid="upload-row" data-status={f.status}>
              <div className="upload-name">
                <strong>{f.file.name}</strong> <span className="muted small">{formatBytes(f.file.size)}</span>
                {f.resumed ? <span className="badge">resumed</span> : null}
              </div>
              <progress max={1} value={f.progress} aria-label={`Upload progress of ${f.file.name}`} />
              <span className="small" data-testid="upload-status">
                {f.status === "done" ? "Stored" : f.status === "error" ? f.error : f.status === "paused" ? "Paused" : `${Math.floor(f.progress * 100)}%`}
              </span>
              {f.status === "uploading" || f.status === "paused" ? (
                <button type="button" className="secondary" onClick={() => togglePause(f)}>
                  {f.status === "paused" ? "Resume" : "Pause"}
                </button>
              ) : null}
              <button type="button" className="link" onClick={() => removeFile(f)}>Remove</button>
            </li>
          ))}
        </ul>
        {fieldError("uploadIds")}
        <label>
          Source URLs (one per line; each page is captured: screenshot, HTML and title)
          <textarea name="sourceUrls" rows={3} placeholder="https://t.me/channel/1234" />
        </label>
        {fieldError("sourceUrls")}
      </section>

      <section className="panel" aria-labelledby="post-heading">
        <h2 id="post-heading" style={{ marginTop: 0 }}>The post</h2>
        <label>Title<input name="title" required maxLength={200} placeholder="Smoke over market, Kabul" />{fieldError("title")}</label>
        <label>
          Platform
          <select name="platform" defaultValue="">
            <option value="">Unknown</option>
            {platforms.map((p) => (
              <option key={p.value} value={p.value}>{p.label}</option>
            ))}
          </select>
        </label>
        <label>Post URL<input name="postUrl" type="url" />{fieldError("postUrl")}</label>
        <label>Poster handle or channel<input name="posterHandle" /></label>
        <label>Platform upload time (UTC)<input name="platformUploadedAt" type="datetime-local" step={1} />{fieldError("platformUploadedAt")}</label>
        <label>What the post claims: place<input name="claimedPlace" /></label>
        <label>What the post claims: date<input name="claimedDate" placeholder="2022-09-30 or 'this morning'" /></label>
        <label>Language<input name="language" placeholder="ps, fa, en..." /></label>
        <label>What it shows / claims<textarea name="description" rows={4} /></label>
        <fieldset>
          <legend>Sensitivity</legend>
          {sensitivity.map((s) => (
            <label key={s.name} className="check"><input type="checkbox" name={s.name} /> {s.label}</label>
          ))}
        </fieldset>
      </section>

      <section className="submit-bar">
        {duplicates && duplicates.length > 0 ? (
          <div className="panel warning" role="alert" data-testid="duplicate-warning">
            <strong>Possible duplicates already in this project:</strong>
            <ul>
              {duplicates.map((d, i) => (
                <li key={i}>
                  {d.kind === "exact" ? "Identical file" : d.kind === "near" ? `Visually similar (distance ${d.distance})` : "Same source URL"}
                  {": "}
                  {d.item ? (
                    <a href={`/projects/${projectSlug}/items/${d.item.reference}`} target="_blank" rel="noreferrer">{d.item.reference} {d.item.title}</a>
                  ) : (
                    "an item submitted by someone else"
                  )}
                </li>
              ))}
            </ul>
            <p className="small">Submit anyway to keep this as a separate item (it will be flagged for triage), or remove the duplicate.</p>
          </div>
        ) : null}
        {error ? <p className="error" role="alert" data-testid="submit-error">{error}</p> : null}
        <button type="submit" disabled={submitting}>
          {submitting ? "Working..." : duplicates && duplicates.length > 0 ? "Submit anyway" : "Submit"}
        </button>
      </section>
    </form>
  );
}
