/** Small SVG charts: fixed viewBox, scaled to their box, so nothing moves as data arrives. */

const W = 320;
const H = 140;
const PAD = 4;

const fmt = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });

/** Counts in equal-width bins from min to max, as bars. */
export function Histogram({ label, min, max, counts }: { label: string; min: number; max: number; counts: number[] }) {
  const top = Math.max(1, ...counts);
  const width = (W - 2 * PAD) / Math.max(1, counts.length);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: histogram of ${counts.length} bins from ${fmt.format(min)} to ${fmt.format(max)}`}>
        {counts.map((count, i) => {
          const h = ((H - 2 * PAD) * count) / top;
          return <rect key={i} className="bar" x={PAD + i * width} y={H - PAD - h} width={Math.max(0.5, width - 0.5)} height={h} />;
        })}
      </svg>
      <figcaption>
        {fmt.format(min)} … {fmt.format(max)}
      </figcaption>
    </figure>
  );
}

/** The running mean against iterations: where it settles. */
export function ConvergencePlot({ label, points }: { label: string; points: { iterations: number; mean: number }[] }) {
  if (points.length === 0) {
    return null;
  }
  const xs = points.map((p) => p.iterations);
  const ys = points.map((p) => p.mean);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const x = (v: number) => PAD + ((W - 2 * PAD) * (v - x0)) / Math.max(1e-12, x1 - x0);
  const y = (v: number) => H - PAD - ((H - 2 * PAD) * (v - y0)) / Math.max(1e-12, y1 - y0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${label}: convergence of the mean over ${points.length} points`}>
        <polyline className="line" fill="none" points={points.map((p) => `${x(p.iterations)},${y(p.mean)}`).join(' ')} />
      </svg>
      <figcaption>
        mean {fmt.format(ys[ys.length - 1])} after {fmt.format(x1)} iterations
      </figcaption>
    </figure>
  );
}

/** A small line of the last values of one figure, with the latest value beside it. */
export function Sparkline({ label, values, unit }: { label: string; values: (number | null)[]; unit: string }) {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const last = known.length > 0 ? known[known.length - 1] : null;
  const top = Math.max(1e-9, ...known);
  const w = 120;
  const h = 32;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const xy = values.map((v, i) =>
    v === null || !Number.isFinite(v) ? null : ([i * step, h - 2 - ((h - 4) * v) / top] as const),
  );
  const points = xy
    .filter((p) => p !== null)
    .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`)
    .join(' ');
  // The latest reading as a dot, so that a first one shows before there is a line.
  const end = [...xy].reverse().find((p) => p !== null) ?? null;
  return (
    <figure className="sparkline">
      <figcaption>{label}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}: ${last !== null ? fmt.format(last) : 'no data'} ${unit}`}>
        <polyline className="line" fill="none" points={points} />
        {end ? <circle className="dot" cx={end[0]} cy={end[1]} r={2} /> : null}
      </svg>
      <span className="sparkline-value">{last !== null ? `${fmt.format(last)} ${unit}` : '—'}</span>
    </figure>
  );
}
