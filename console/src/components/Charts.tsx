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
