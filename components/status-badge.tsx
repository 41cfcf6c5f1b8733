export const STATUS_LABELS: Record<string, string> = {
  SUBMITTED: "Submitted",
  TRIAGED: "Triaged",
  IN_PROGRESS: "In progress",
  IN_REVIEW: "In review",
  VERIFIED: "Verified",
  PUBLISHED: "Published",
  REJECTED: "Rejected",
  UNVERIFIABLE: "Unverifiable",
  DUPLICATE: "Duplicate",
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}
