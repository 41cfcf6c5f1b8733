// The timeline strip: incidents per period as bars, each a link that narrows the map to that
// period. Server-rendered SVG, so it works without JavaScript.

export type TimelineDay = { day: string; count: number };

const WIDTH = 960;
const HEIGHT = 90;
const MAX_BARS = 72;

type Bucket = { from: string; to: string; label: string; count: number };

function addDays(day: string, days: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

function daysBetween(a: string, b: string): number {
  return Math.round((new Date(`${b}T00:00:00Z`).getTime() - new Date(`${a}T00:00:00Z`).getTime()) / 86_400_000);
}

/** Equal periods spanning the first to the last day, at most MAX_BARS of them. */
export function bucketDays(days: TimelineDay[]): Bucket[] {
  if (days.length === 0) return [];
  const first = days[0]!.day;
  const last = days[days.length - 1]!.day;
  const span = daysBetween(first, last) + 1;
  const size = Math.max(1, Math.ceil(span / MAX_BARS));
  const buckets: Bucket[] = [];
  for (let offset = 0; offset < span; offset += size) {
    const from = addDays(first, offset);
    const to = addDays(first, Math.min(offset + size, span) - 1);
    buckets.push({ from, to, label: from === to ? from : `${from} to ${to}`, count: 0 });
  }
  for (const d of days) buckets[Math.floor(daysBetween(first, d.day) / size)]!.count += d.count;
  return buckets;
}

export function Timeline({ days, hrefFor }: { days: TimelineDay[]; hrefFor: (from: string, to: string) => string }) {
  const buckets = bucketDays(days);
  if (buckets.length === 0) return <p className="muted small">No dated incidents match.</p>;
  const max = Math.max(...buckets.map((b) => b.count));
  const barWidth = WIDTH / buckets.length;
  return (
    <figure className="public-timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 16}`} role="img" aria-label={`Incidents from ${buckets[0]!.from} to ${buckets[buckets.length - 1]!.to}`} preserveAspectRatio="none">
        {buckets.map((b, i) => {
          const h = b.count === 0 ? 0 : Math.max(3, (b.count / max) * HEIGHT);
          return (
            <a key={b.from} href={hrefFor(b.from, b.to)} aria-label={`${b.label}: ${b.count} incident${b.count === 1 ? "" : "s"}`}>
              <title>{`${b.label}: ${b.count}`}</title>
              <rect x={i * barWidth} y={0} width={barWidth} height={HEIGHT} fill="transparent" />
              <rect x={i * barWidth + 1} y={HEIGHT - h} width={Math.max(1, barWidth - 2)} height={h} className="bar" />
            </a>
          );
        })}
        <line x1={0} x2={WIDTH} y1={HEIGHT + 0.5} y2={HEIGHT + 0.5} stroke="#aab4be" />
      </svg>
      <figcaption className="small muted">
        <span>{buckets[0]!.from}</span>
        <span>Click a bar to show that period</span>
        <span>{buckets[buckets.length - 1]!.to}</span>
      </figcaption>
    </figure>
  );
}
