/**
 * A bar of fixed height and width: its fill changes, its layout never does. Announced to
 * assistive technology as a progressbar with its label and value.
 */
export function ProgressBar({ label, value, max = 100, text }: { label: string; value: number; max?: number; text?: string }) {
  const clamped = Math.max(0, Math.min(max, value));
  const percent = max > 0 ? (clamped / max) * 100 : 0;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.round(clamped)}
        aria-valuetext={text ?? `${Math.round(percent)} %`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">{text ?? `${Math.round(percent)} %`}</span>
    </div>
  );
}
