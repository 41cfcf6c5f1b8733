// Inline SVG bar charts for the stats page, each with its numbers in a table (details/summary)
// for screen readers and anyone who wants the figures.

export type BarDatum = { label: string; value: number; low?: number };

export function BarChart({ title, data, unit, rangeNote }: { title: string; data: BarDatum[]; unit: string; rangeNote?: string }) {
  const max = Math.max(1, ...data.map((d) => d.value));
  const height = 160;
  const width = Math.max(320, data.length * 22);
  const bar = width / Math.max(1, data.length);
  return (
    <figure className="public-chart">
      <figcaption><strong>{title}</strong>{rangeNote ? <span className="small muted"> {rangeNote}</span> : null}</figcaption>
      {data.length === 0 ? (
        <p className="muted small">Nothing to show yet.</p>
      ) : (
        <div className="chart-scroll">
          <svg viewBox={`0 0 ${width} ${height + 4}`} width={width} height={height + 4} role="img" aria-label={`${title}: bar chart, figures in the table below`}>
            {data.map((d, i) => {
              const h = (d.value / max) * height;
              const lowH = d.low !== undefined ? (d.low / max) * height : h;
              return (
                <g key={d.label}>
                  <title>{d.low !== undefined && d.low !== d.value ? `${d.label}: ${d.low}–${d.value} ${unit}` : `${d.label}: ${d.value} ${unit}`}</title>
                  {d.low !== undefined ? <rect x={i * bar + 2} y={height - h} width={Math.max(1, bar - 4)} height={h} className="bar range" /> : null}
                  <rect x={i * bar + 2} y={height - lowH} width={Math.max(1, bar - 4)} height={lowH} className="bar" />
                </g>
              );
            })}
          </svg>
        </div>
      )}
      <details>
        <summary>Table of {title.toLowerCase()}</summary>
        <table>
          <thead><tr><th scope="col">Period or place</th><th scope="col">{unit}</th></tr></thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.label}><td>{d.label}</td><td>{d.low !== undefined && d.low !== d.value ? `${d.low}–${d.value}` : d.value}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
