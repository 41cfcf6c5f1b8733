// A horizontal timeline of an incident's window and each linked item's chronolocation window.
// Plain SVG rendered on the server; leads are dashed and grey and say "unverified lead".

export type TimelineRow = {
  key: string;
  label: string;
  start: Date;
  end: Date;
  kind: "incident" | "evidence" | "lead";
};

const WIDTH = 760;
const LABEL_WIDTH = 230;
const ROW_HEIGHT = 26;
const AXIS_HEIGHT = 28;
const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const tick = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

const STYLE: Record<TimelineRow["kind"], { stroke: string; fill: string; dash?: string }> = {
  incident: { stroke: "#c05621", fill: "#c05621" },
  evidence: { stroke: "#2b6cb0", fill: "#2b6cb0" },
  lead: { stroke: "#718096", fill: "#e2e8f0", dash: "4 3" },
};

export function IncidentTimeline({ rows }: { rows: TimelineRow[] }) {
  if (rows.length === 0) return <p className="muted">No time window: set the incident&apos;s start and end, or chronolocate the linked items.</p>;
  const min = Math.min(...rows.map((r) => r.start.getTime()));
  const max = Math.max(...rows.map((r) => r.end.getTime()));
  // A margin on both sides so instants and short windows stay visible.
  const pad = Math.max((max - min) * 0.08, 5 * 60_000);
  const from = min - pad;
  const to = max + pad;
  const plot = WIDTH - LABEL_WIDTH - 10;
  const x = (t: number) => LABEL_WIDTH + ((t - from) / (to - from)) * plot;
  const height = AXIS_HEIGHT + rows.length * ROW_HEIGHT + 6;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * (to - from));

  return (
    <figure className="incident-timeline" data-testid="incident-timeline">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width="100%" role="img" aria-labelledby="timeline-caption">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={AXIS_HEIGHT - 6} y2={height} stroke="#e2e8f0" />
            <text x={x(t)} y={14} fontSize={10} textAnchor="middle" fill="#4a5568">{tick.format(new Date(t))}</text>
          </g>
        ))}
        {rows.map((row, i) => {
          const y = AXIS_HEIGHT + i * ROW_HEIGHT;
          const style = STYLE[row.kind];
          const x1 = x(row.start.getTime());
          const x2 = Math.max(x(row.end.getTime()), x1 + 3);
          return (
            <g key={row.key} data-kind={row.kind}>
              <text x={0} y={y + 16} fontSize={11} fill={row.kind === "lead" ? "#718096" : "#1a202c"} fontStyle={row.kind === "lead" ? "italic" : undefined}>
                {row.label.length > 34 ? `${row.label.slice(0, 33)}…` : row.label}
              </text>
              <rect x={x1} y={y + 5} width={x2 - x1} height={14} rx={3} fill={style.fill} fillOpacity={row.kind === "incident" ? 0.35 : 0.8} stroke={style.stroke} strokeWidth={1.5} strokeDasharray={style.dash}>
                <title>{`${row.label}: ${utc.format(row.start)} – ${utc.format(row.end)} UTC${row.kind === "lead" ? " (unverified lead)" : ""}`}</title>
              </rect>
            </g>
          );
        })}
      </svg>
      <figcaption id="timeline-caption" className="small muted">
        Times in UTC. <span className="legend incident">■</span> incident window · <span className="legend evidence">■</span> verified evidence · <span className="legend lead">▭</span> unverified lead (dashed, not evidence)
      </figcaption>
    </figure>
  );
}
