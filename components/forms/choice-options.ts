// How incident and item suggestions read in a type-ahead list.
import { STATUS_LABELS } from "@/components/status-badge";
import type { TypeAheadOption } from "./type-ahead";

const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** An incident: the form gets its id. */
export function incidentOptionById(choice: Record<string, unknown>): TypeAheadOption {
  return incidentOption(choice, str(choice.id));
}

/** An incident: the form gets its reference. */
export function incidentOptionByReference(choice: Record<string, unknown>): TypeAheadOption {
  return incidentOption(choice, str(choice.reference));
}

function incidentOption(choice: Record<string, unknown>, value: string): TypeAheadOption {
  const startAt = str(choice.startAt);
  return {
    value,
    text: `${str(choice.reference)} · ${str(choice.title)}`.slice(0, 120),
    label: `${str(choice.reference)} ${str(choice.title)}`,
    detail: startAt ? day.format(new Date(startAt)) : "date unknown",
  };
}

/** An item: the form gets its reference; the status says whether it can be evidence. */
export function itemOptionByReference(choice: Record<string, unknown>): TypeAheadOption {
  const status = str(choice.status);
  return { value: str(choice.reference), text: str(choice.reference), label: `${str(choice.reference)} ${str(choice.title)}`, detail: STATUS_LABELS[status] ?? status };
}
