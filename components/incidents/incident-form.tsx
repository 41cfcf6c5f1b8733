"use client";
// Create and edit form for an incident. The service parses the same fields with the schema in
// lib/domain/incidents.ts; its field errors are shown next to each field.
import { useActionState, useState } from "react";
import { submitKeepingInput } from "@/components/forms/submit-keeping-input";
import { createIncidentAction, updateIncidentAction } from "@/app/projects/[slug]/incidents/actions";
import { GeolocationMapPicker, type MapOutlines } from "@/components/map/location-map";
import { PRECISION_PRESETS, parseCoordinates } from "@/lib/domain/coordinates";
import { ATTRIBUTION_CONFIDENCES, TARGET_CATEGORIES, TARGET_CATEGORY_LABELS } from "@/lib/domain/incident-fields";
import { MAX_TAGS, MAX_TAG_LENGTH } from "@/lib/domain/incidents";
import type { ActionResult } from "@/lib/server/action-result";

/** Every field as the form shows it (strings; "" when empty). */
export type IncidentFormValues = {
  title: string;
  incidentType: string;
  description: string;
  startAt: string;
  endAt: string;
  location: string;
  precisionM: string;
  locationName: string;
  claimGroup: string;
  claimChannel: string;
  claimDate: string;
  claimUrl: string;
  attributionGroup: string;
  attributionConfidence: string;
  killedMin: string;
  killedMax: string;
  killedSource: string;
  injuredMin: string;
  injuredMax: string;
  injuredSource: string;
  targets: string[];
  tags: string;
};

export const EMPTY_INCIDENT_FORM: IncidentFormValues = {
  title: "", incidentType: "", description: "", startAt: "", endAt: "", location: "", precisionM: String(PRECISION_PRESETS.LOCALITY),
  locationName: "", claimGroup: "", claimChannel: "", claimDate: "", claimUrl: "", attributionGroup: "", attributionConfidence: "",
  killedMin: "", killedMax: "", killedSource: "", injuredMin: "", injuredMax: "", injuredSource: "", targets: [], tags: "",
};

type Props = {
  projectId: string;
  projectSlug: string;
  incidentTypes: readonly string[];
  outlines: MapOutlines;
  initial: IncidentFormValues;
  /** Present when editing: the incident and the version the editor is looking at. */
  edit?: { incidentId: string; version: number };
};

function FieldError({ errors, name }: { errors: Record<string, string[]> | undefined; name: string }) {
  const messages = errors?.[name];
  if (!messages?.length) return null;
  return <span className="field-error" id={`${name}-error`} role="alert">{messages.join(" ")}</span>;
}

export function IncidentForm({ projectId, projectSlug, incidentTypes, outlines, initial, edit }: Props) {
  const [state, action, pending] = useActionState<ActionResult<{ reference: string }> | null, FormData>(edit ? updateIncidentAction : createIncidentAction, null);
  const [location, setLocation] = useState(initial.location);
  const [precision, setPrecision] = useState(initial.precisionM || String(PRECISION_PRESETS.LOCALITY));
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const parsed = location.trim() ? parseCoordinates(location) : null;
  const invalid = (name: string) => (errors?.[name]?.length ? { "aria-invalid": true as const, "aria-describedby": `${name}-error` } : {});

  return (
    <form onSubmit={submitKeepingInput(action)} className="stack wide incident-form" data-testid="incident-form" noValidate>
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="projectSlug" value={projectSlug} />
      {edit ? (
        <>
          <input type="hidden" name="incidentId" value={edit.incidentId} />
          <input type="hidden" name="expectedVersion" value={edit.version} />
        </>
      ) : null}

      <fieldset>
        <legend>What happened</legend>
        <label>Title<input name="title" defaultValue={initial.title} required maxLength={300} {...invalid("title")} /></label>
        <FieldError errors={errors} name="title" />
        <label>
          Type
          <select name="incidentType" defaultValue={initial.incidentType} required {...invalid("incidentType")}>
            <option value="" disabled>Choose…</option>
            {incidentTypes.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <FieldError errors={errors} name="incidentType" />
        <label>Description<textarea name="description" rows={4} defaultValue={initial.description} maxLength={20000} {...invalid("description")} /></label>
        <FieldError errors={errors} name="description" />
        <fieldset>
          <legend>Targets</legend>
          {TARGET_CATEGORIES.map((t) => (
            <label key={t} className="check"><input type="checkbox" name="targets" value={t} defaultChecked={initial.targets.includes(t)} /> {TARGET_CATEGORY_LABELS[t]}</label>
          ))}
          <FieldError errors={errors} name="targets" />
        </fieldset>
        <label>Tags (comma separated, up to {MAX_TAGS}, {MAX_TAG_LENGTH} characters each)<input name="tags" defaultValue={initial.tags} {...invalid("tags")} /></label>
        <FieldError errors={errors} name="tags" />
      </fieldset>

      <fieldset>
        <legend>When (UTC)</legend>
        <div className="inline">
          <label>Start<input name="startAt" type="datetime-local" step={60} defaultValue={initial.startAt} {...invalid("startAt")} /></label>
          <label>End<input name="endAt" type="datetime-local" step={60} defaultValue={initial.endAt} {...invalid("endAt")} /></label>
        </div>
        <FieldError errors={errors} name="startAt" />
        <FieldError errors={errors} name="endAt" />
      </fieldset>

      <fieldset>
        <legend>Where</legend>
        <label>
          Coordinates (decimal, DMS, MGRS, or a map link)
          <input name="location" value={location} onChange={(e) => setLocation(e.target.value)} placeholder="34.5553, 69.2075" {...invalid("location")} />
        </label>
        {parsed ? (
          parsed.ok ? <p className="small notice">Reads as {parsed.latitude.toFixed(6)}, {parsed.longitude.toFixed(6)}. The province is derived from the point.</p> : <p className="small error">{parsed.error}</p>
        ) : null}
        <FieldError errors={errors} name="location" />
        <GeolocationMapPicker
          outlines={outlines}
          value={parsed?.ok ? { lat: parsed.latitude, lon: parsed.longitude } : null}
          precisionM={Number(precision) > 0 ? Number(precision) : null}
          onPick={(lat, lon) => setLocation(`${lat.toFixed(6)}, ${lon.toFixed(6)}`)}
        />
        <div role="radiogroup" aria-label="Precision" className="inline">
          {Object.entries(PRECISION_PRESETS).map(([name, metres]) => (
            <label key={name} className="check">
              <input type="radio" name="precisionM" value={metres} checked={precision === String(metres)} onChange={() => setPrecision(String(metres))} />
              {name[0] + name.slice(1).toLowerCase()} ({metres >= 1000 ? `${metres / 1000} km` : `${metres} m`})
            </label>
          ))}
        </div>
        <FieldError errors={errors} name="precisionM" />
        <label>Place name<input name="locationName" defaultValue={initial.locationName} maxLength={200} {...invalid("locationName")} /></label>
        <FieldError errors={errors} name="locationName" />
      </fieldset>

      <fieldset>
        <legend>Claimed by (what the group itself said)</legend>
        <div className="inline">
          <label>Group<input name="claimGroup" defaultValue={initial.claimGroup} maxLength={200} {...invalid("claimGroup")} /></label>
          <label>Channel (e.g. a named newsletter)<input name="claimChannel" defaultValue={initial.claimChannel} maxLength={200} {...invalid("claimChannel")} /></label>
          <label>Claim date (UTC)<input name="claimDate" type="date" defaultValue={initial.claimDate} {...invalid("claimDate")} /></label>
        </div>
        <FieldError errors={errors} name="claimGroup" />
        <FieldError errors={errors} name="claimChannel" />
        <FieldError errors={errors} name="claimDate" />
        <label>Claim URL<input name="claimUrl" type="url" defaultValue={initial.claimUrl} placeholder="https://" {...invalid("claimUrl")} /></label>
        <FieldError errors={errors} name="claimUrl" />
      </fieldset>

      <fieldset>
        <legend>Attribution (the analysts&apos; own assessment)</legend>
        <div className="inline">
          <label>Attributed to<input name="attributionGroup" defaultValue={initial.attributionGroup} maxLength={200} {...invalid("attributionGroup")} /></label>
          <label>
            Confidence
            <select name="attributionConfidence" defaultValue={initial.attributionConfidence} {...invalid("attributionConfidence")}>
              <option value="">Not assessed</option>
              {ATTRIBUTION_CONFIDENCES.map((c) => <option key={c} value={c}>{c[0] + c.slice(1).toLowerCase()}</option>)}
            </select>
          </label>
        </div>
        <FieldError errors={errors} name="attributionGroup" />
        <FieldError errors={errors} name="attributionConfidence" />
      </fieldset>

      <fieldset>
        <legend>Casualties (ranges; leave an end empty when unknown)</legend>
        {(["killed", "injured"] as const).map((kind) => (
          <div key={kind}>
            <div className="inline">
              <label>{kind === "killed" ? "Killed" : "Injured"}, at least<input name={`${kind}Min`} type="number" min={0} step={1} defaultValue={initial[`${kind}Min`]} size={6} {...invalid(`${kind}Min`)} /></label>
              <label>at most<input name={`${kind}Max`} type="number" min={0} step={1} defaultValue={initial[`${kind}Max`]} size={6} {...invalid(`${kind}Max`)} /></label>
              <label>Source<input name={`${kind}Source`} defaultValue={initial[`${kind}Source`]} maxLength={500} size={36} {...invalid(`${kind}Source`)} /></label>
            </div>
            <FieldError errors={errors} name={`${kind}Min`} />
            <FieldError errors={errors} name={`${kind}Max`} />
            <FieldError errors={errors} name={`${kind}Source`} />
          </div>
        ))}
      </fieldset>

      {state && !state.ok ? (
        <div role="alert" data-testid="action-error">
          <p className="error">{state.error}</p>
          {errors?._form ? <p className="field-error">{errors._form.join(" ")}</p> : null}
        </div>
      ) : null}
      <div>
        <button type="submit" disabled={pending}>{edit ? "Save changes" : "Create incident"}</button>
      </div>
    </form>
  );
}
