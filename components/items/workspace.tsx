"use client";
// The verification workspace controls on an item page: workflow moves, notes, reviews, sun tool.
import { useActionState, useEffect, useMemo, useRef, useState } from "react";
import { addCommentAction, proposeChronolocationAction, proposeGeolocationAction, reviewNoteAction, transitionAction } from "@/app/projects/[slug]/actions";
import { PRECISION_PRESETS, parseCoordinates } from "@/lib/domain/coordinates";
import { CHRONO_METHODS, CHRONO_METHOD_LABELS, OWN_DECISION_TEXT, type ReviewDecision } from "@/lib/domain/notes";
import { REASON_ACTIONS, REJECTION_REASONS, REJECTION_REASON_LABELS, TRANSITIONS, type TransitionAction } from "@/lib/domain/review-workflow";
import { matchShadow, sunDay, sunTable } from "@/lib/domain/sun";
import type { ActionResult } from "@/lib/server/action-result";
import { GeolocationMapPicker, type MapOutlines } from "@/components/map/location-map";

function Outcome({ state }: { state: ActionResult | null }) {
  if (!state) return null;
  if (state.ok) return state.message ? <p className="notice" role="status">{state.message}</p> : null;
  return (
    <div role="alert" data-testid="action-error">
      <p className="error">{state.error}</p>
      {state.fieldErrors ? (
        <ul className="field-error">
          {Object.entries(state.fieldErrors).map(([f, m]) => (
            <li key={f}>{f}: {m.join("; ")}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

const NEEDS_REASON = REASON_ACTIONS;

/** Single-key shortcuts for the common moves (ignored while typing in a field). */
const SHORTCUTS: Partial<Record<TransitionAction, string>> = { triage: "t", claim: "c", send_to_review: "s", reject: "x" };

export function WorkspaceShortcuts() {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
      if (event.key === "g") {
        const input = document.querySelector<HTMLInputElement>('[data-testid="geolocation-form"] input[name="point"]');
        if (input) {
          event.preventDefault();
          input.focus();
        }
        return;
      }
      const button = document.querySelector<HTMLButtonElement>(`[data-shortcut="${CSS.escape(event.key)}"]`);
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <p className="small muted no-print">
      Keys: <kbd>t</kbd> triage · <kbd>c</kbd> claim · <kbd>g</kbd> coordinates · <kbd>s</kbd> send to review · <kbd>x</kbd> reject
    </p>
  );
}

export function WorkflowActions({ itemId, version, path, actions }: { itemId: string; version: number; path: string; actions: TransitionAction[] }) {
  const [state, action, pending] = useActionState(transitionAction, null);
  const [chosen, setChosen] = useState<TransitionAction | null>(null);
  const simple = actions.filter((a) => a !== "assign");
  if (simple.length === 0) return null;
  return (
    <div className="panel" data-testid="workflow-actions">
      <div className="row-actions">
        {simple.map((a) =>
          NEEDS_REASON.includes(a) || a === "reject" || a === "mark_duplicate" ? (
            <button key={a} type="button" className="secondary" onClick={() => setChosen(a)} aria-expanded={chosen === a} data-shortcut={SHORTCUTS[a]} aria-keyshortcuts={SHORTCUTS[a]}>
              {TRANSITIONS[a].label}…
            </button>
          ) : (
            <form key={a} action={action}>
              <input type="hidden" name="itemId" value={itemId} />
              <input type="hidden" name="expectedVersion" value={version} />
              <input type="hidden" name="path" value={path} />
              <input type="hidden" name="action" value={a} />
              <button type="submit" disabled={pending} data-shortcut={SHORTCUTS[a]} aria-keyshortcuts={SHORTCUTS[a]}>{TRANSITIONS[a].label}</button>
            </form>
          ),
        )}
      </div>
      {chosen ? (
        <form action={action} className="inline" style={{ marginTop: 10 }}>
          <input type="hidden" name="itemId" value={itemId} />
          <input type="hidden" name="expectedVersion" value={version} />
          <input type="hidden" name="path" value={path} />
          <input type="hidden" name="action" value={chosen} />
          {chosen === "reject" ? (
            <label>
              Why
              <select name="rejectionReason" required defaultValue="">
                <option value="" disabled>Choose…</option>
                {REJECTION_REASONS.map((r) => (
                  <option key={r} value={r}>{REJECTION_REASON_LABELS[r]}</option>
                ))}
              </select>
            </label>
          ) : null}
          {chosen === "mark_duplicate" ? (
            <label>
              Duplicate of (reference)
              <input name="duplicateOfReference" required placeholder="DW-0012" size={12} />
            </label>
          ) : null}
          <label>
            Reason{chosen === "reject" || chosen === "mark_duplicate" ? " (details)" : ""}
            <input name="reason" required={chosen !== "reject" && chosen !== "mark_duplicate"} minLength={3} maxLength={2000} size={40} />
          </label>
          <button type="submit" disabled={pending}>{TRANSITIONS[chosen].label}</button>
          <button type="button" className="link" onClick={() => setChosen(null)}>Cancel</button>
        </form>
      ) : null}
      <Outcome state={state} />
    </div>
  );
}

export function GeolocationForm({ itemId, path, outlines }: { itemId: string; path: string; outlines: MapOutlines }) {
  const [state, action, pending] = useActionState(proposeGeolocationAction, null);
  const [point, setPoint] = useState("");
  const [precision, setPrecision] = useState<string>(String(PRECISION_PRESETS.VICINITY));
  const parsed = point.trim() ? parseCoordinates(point) : null;
  return (
    <form action={action} className="stack wide" data-testid="geolocation-form">
      <input type="hidden" name="itemId" value={itemId} />
      <input type="hidden" name="path" value={path} />
      <label>
        Coordinates (decimal, DMS, MGRS, or a Google Maps / OpenStreetMap link)
        <input name="point" value={point} onChange={(e) => setPoint(e.target.value)} required placeholder="34.5553, 69.2075" />
      </label>
      <GeolocationMapPicker
        outlines={outlines}
        value={parsed?.ok ? { lat: parsed.latitude, lon: parsed.longitude } : null}
        precisionM={Number(precision) > 0 ? Number(precision) : null}
        onPick={(lat, lon) => setPoint(`${lat.toFixed(6)}, ${lon.toFixed(6)}`)}
      />
      {parsed ? (
        parsed.ok ? (
          <p className="small notice" data-testid="parsed-point">Reads as {parsed.latitude.toFixed(6)}, {parsed.longitude.toFixed(6)} ({parsed.format.replaceAll("_", " ")})</p>
        ) : (
          <p className="small error">{parsed.error}</p>
        )
      ) : null}
      <fieldset>
        <legend>Precision</legend>
        {Object.entries(PRECISION_PRESETS).map(([name, metres]) => (
          <label key={name} className="check">
            <input type="radio" name="precisionPreset" checked={precision === String(metres)} onChange={() => setPrecision(String(metres))} />
            {name[0] + name.slice(1).toLowerCase()} ({metres >= 1000 ? `${metres / 1000} km` : `${metres} m`})
          </label>
        ))}
        <label>Radius in metres<input name="precisionM" type="number" min={1} max={100000} value={precision} onChange={(e) => setPrecision(e.target.value)} /></label>
      </fieldset>
      <label>Camera position (optional)<input name="camera" placeholder="where the camera stood" /></label>
      <label>Viewing bearing, degrees from north (optional)<input name="bearingDeg" type="number" min={0} max={359.9} step={0.1} /></label>
      <label>Method<textarea name="method" rows={3} required placeholder="Which features matched, against what" /></label>
      <div className="inline">
        <label>Reference imagery provider<input name="imageryProvider" placeholder="e.g. satellite provider" /></label>
        <label>Capture date<input name="imageryDate" placeholder="2022-08-01" /></label>
        <label>Link<input name="imageryUrl" type="url" /></label>
      </div>
      <div className="inline">
        <label>Matched landmark<input name="landmarkName" placeholder="Minaret" /></label>
        <label>Description<input name="landmarkDescription" /></label>
      </div>
      <Outcome state={state} />
      <button type="submit" disabled={pending}>Propose geolocation</button>
    </form>
  );
}

function toUtcInput(date: Date): string {
  return date.toISOString().slice(0, 19);
}

export function ChronolocationForm({
  itemId,
  path,
  point,
  defaultDay,
  timeZone: projectZone,
}: {
  itemId: string;
  path: string;
  point: { latitude: number; longitude: number } | null;
  defaultDay: string;
  timeZone: string;
}) {
  const [state, action, pending] = useActionState(proposeChronolocationAction, null);
  const [earliest, setEarliest] = useState("");
  const [latest, setLatest] = useState("");
  const [day, setDay] = useState(defaultDay);
  const [timeZone, setTimeZone] = useState(projectZone);
  const [bearing, setBearing] = useState("");
  const [tolerance, setTolerance] = useState("5");
  const [objectHeight, setObjectHeight] = useState("");
  const [shadowLength, setShadowLength] = useState("");

  const sun = useMemo(() => {
    if (!point || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
    try {
      const summary = sunDay(day, point.latitude, point.longitude, timeZone, 60);
      const windows = bearing.trim() !== ""
        ? matchShadow({
            day,
            lat: point.latitude,
            lon: point.longitude,
            timeZone,
            shadowBearingDeg: Number(bearing),
            toleranceDeg: Number(tolerance),
            ...(objectHeight && shadowLength ? { objectHeightM: Number(objectHeight), shadowLengthM: Number(shadowLength) } : {}),
          })
        : null;
      return { summary, table: sunTable(day, point.latitude, point.longitude, timeZone), windows, error: null as string | null };
    } catch (error) {
      return { summary: null, table: null, windows: null, error: (error as Error).message };
    }
  }, [point, day, timeZone, bearing, tolerance, objectHeight, shadowLength]);

  return (
    <div className="stack wide">
      <section className="panel sun-tool" aria-labelledby="sun-tool" data-testid="sun-tool">
        <h4 id="sun-tool" style={{ marginTop: 0 }}>Sun and shadows</h4>
        {point ? (
          <>
            <div className="inline">
              <label>Day (local)<input type="date" value={day} onChange={(e) => setDay(e.target.value)} /></label>
              <label>Time zone<input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} size={16} /></label>
              <label>Shadow bearing measured (°)<input type="number" min={0} max={360} step={0.5} value={bearing} onChange={(e) => setBearing(e.target.value)} data-testid="shadow-bearing" /></label>
              <label>± tolerance (°)<input type="number" min={0.1} max={45} step={0.5} value={tolerance} onChange={(e) => setTolerance(e.target.value)} /></label>
              <label>Object height (optional)<input type="number" min={0} step={0.1} value={objectHeight} onChange={(e) => setObjectHeight(e.target.value)} /></label>
              <label>Its shadow length<input type="number" min={0} step={0.1} value={shadowLength} onChange={(e) => setShadowLength(e.target.value)} /></label>
            </div>
            {sun?.error ? <p className="error">{sun.error}</p> : null}
            {sun?.summary ? (
              <p className="small">
                Sunrise {sun.summary.sunriseLocal ?? "—"} · solar noon {sun.summary.solarNoonLocal} · sunset {sun.summary.sunsetLocal ?? "—"} ({timeZone})
              </p>
            ) : null}
            {sun?.windows ? (
              sun.windows.length === 0 ? (
                <p className="small error">No time that day casts a shadow in that direction.</p>
              ) : (
                <ul data-testid="shadow-windows">
                  {sun.windows.map((w) => (
                    <li key={w.start.toISOString()}>
                      {w.startLocal}–{w.endLocal} local ({w.start.toISOString().slice(11, 16)}–{w.end.toISOString().slice(11, 16)} UTC), best {w.bestAtLocal}{" "}
                      <button type="button" className="secondary" onClick={() => { setEarliest(toUtcInput(w.start)); setLatest(toUtcInput(w.end)); }}>
                        Use as time window
                      </button>
                    </li>
                  ))}
                </ul>
              )
            ) : null}
            {sun?.summary ? (
              <details>
                <summary className="small">Sun through the day</summary>
                <table>
                  <thead><tr><th scope="col">Local ({timeZone})</th><th scope="col">UTC</th><th scope="col">Azimuth</th><th scope="col">Elevation</th><th scope="col">Shadow bearing</th><th scope="col">Shadow / height</th></tr></thead>
                  <tbody data-testid="sun-table">
                    {(sun.table ?? []).filter((s) => s.elevationDeg > -2).map((s) => (
                      <tr key={s.at.toISOString()}>
                        <td>{s.localTime}</td><td>{s.utcTime}</td><td>{s.azimuthDeg.toFixed(1)}°</td><td>{s.elevationDeg.toFixed(1)}°</td>
                        <td>{s.shadowBearingDeg === null ? "—" : `${s.shadowBearingDeg.toFixed(1)}°`}</td>
                        <td>{s.shadowLengthRatio === null ? "—" : s.shadowLengthRatio.toFixed(2)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            ) : null}
          </>
        ) : (
          <p className="small muted">Propose a geolocation first: the sun tool works from the item&apos;s location.</p>
        )}
      </section>
      <form action={action} className="stack wide" data-testid="chronolocation-form">
        <input type="hidden" name="itemId" value={itemId} />
        <input type="hidden" name="path" value={path} />
        <div className="inline">
          <label>Earliest (UTC)<input name="earliest" type="datetime-local" step={1} value={earliest} onChange={(e) => setEarliest(e.target.value)} required /></label>
          <label>Latest (UTC)<input name="latest" type="datetime-local" step={1} value={latest} onChange={(e) => setLatest(e.target.value)} required /></label>
          <label>
            Confidence
            <select name="confidence" defaultValue="MEDIUM">
              <option value="LOW">Low</option><option value="MEDIUM">Medium</option><option value="HIGH">High</option>
            </select>
          </label>
        </div>
        <fieldset>
          <legend>Method</legend>
          {CHRONO_METHODS.map((m) => (
            <label key={m} className="check"><input type="checkbox" name="methods" value={m} defaultChecked={m === "SUN_AND_SHADOWS" && bearing !== ""} /> {CHRONO_METHOD_LABELS[m]}</label>
          ))}
        </fieldset>
        <label>Notes<textarea name="notes" rows={2} /></label>
        <Outcome state={state} />
        <button type="submit" disabled={pending}>Propose chronolocation</button>
      </form>
    </div>
  );
}

/**
 * A reviewer's controls for one note. Each person has one decision per note: before deciding
 * they can confirm or dispute; afterwards the form says what they decided and offers only to
 * change it, never to repeat it.
 */
export function ReviewNoteForm({
  itemId,
  path,
  target,
  noteId,
  current,
}: {
  itemId: string;
  path: string;
  target: "GEOLOCATION" | "CHRONOLOCATION";
  noteId: string;
  /** The viewer's own decision on this note, if they made one. */
  current: { decision: ReviewDecision; comment: string } | null;
}) {
  const [state, action, pending] = useActionState(reviewNoteAction, null);
  return (
    <form action={action} className="inline review-form" data-testid={`review-${target.toLowerCase()}`}>
      <input type="hidden" name="itemId" value={itemId} />
      <input type="hidden" name="path" value={path} />
      <input type="hidden" name="target" value={target} />
      <input type="hidden" name="noteId" value={noteId} />
      {current ? (
        <p className="own-decision" data-testid="own-decision" data-decision={current.decision}>
          <strong>{current.decision === "APPROVE" ? "✔" : "✖"} {OWN_DECISION_TEXT[current.decision]}.</strong>{" "}
          <span className="muted">You can change your decision:</span>
        </p>
      ) : null}
      <label>{current?.decision === "APPROVE" ? "What is wrong" : "Comment"}<input name="comment" size={30} /></label>
      {target === "GEOLOCATION" && current?.decision !== "REQUEST_CHANGES" ? <label>Your own point (optional)<input name="independentPoint" size={22} /></label> : null}
      {current?.decision !== "APPROVE" ? (
        <button type="submit" name="decision" value="APPROVE" disabled={pending}>{current ? "Change to confirm" : "Confirm"}</button>
      ) : null}
      {current?.decision !== "REQUEST_CHANGES" ? (
        <button type="submit" name="decision" value="REQUEST_CHANGES" className="danger" disabled={pending}>{current ? "Change to dispute" : "Dispute"}</button>
      ) : null}
      <Outcome state={state} />
    </form>
  );
}

export function CommentForm({ itemId, path }: { itemId: string; path: string }) {
  const [state, action, pending] = useActionState(addCommentAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok) formRef.current?.reset();
  }, [state]);
  return (
    <form ref={formRef} action={action} className="stack wide" data-testid="comment-form">
      <input type="hidden" name="itemId" value={itemId} />
      <input type="hidden" name="path" value={path} />
      <label>
        Comment (Markdown; @name mentions a project member)
        <textarea name="body" rows={3} required maxLength={10000} />
      </label>
      <Outcome state={state} />
      <button type="submit" disabled={pending}>Comment</button>
    </form>
  );
}
