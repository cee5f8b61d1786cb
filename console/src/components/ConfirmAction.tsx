import { useState } from 'react';
import { ProblemMessage } from './ProblemMessage';

/**
 * A button whose action runs only once confirmed, in place (no dialog to lose focus to);
 * the problem of a refused action shows next to it.
 */
export function ConfirmAction({
  label,
  question,
  action,
}: {
  label: string;
  question: string;
  action: () => Promise<unknown>;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function confirm() {
    setBusy(true);
    try {
      await action();
      setError(null);
      setAsking(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="confirm-action">
      {asking ? (
        <span role="group" aria-label={question}>
          <span>{question} </span>
          <button type="button" onClick={() => void confirm()} disabled={busy} autoFocus>
            Confirm
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          {label}
        </button>
      )}
      <ProblemMessage error={error} />
    </div>
  );
}
