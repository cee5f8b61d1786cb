import { Problem } from '../api';

/** A failed action's problem, next to the action: its title and detail, never a stack. */
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) {
    return null;
  }
  const title = error instanceof Problem ? error.title : 'Something went wrong';
  const detail = error instanceof Problem ? error.detail : error instanceof Error ? error.message : String(error);
  return (
    <div role="alert" className="problem">
      <strong>{title}</strong>
      {detail ? <span> — {detail}</span> : null}
    </div>
  );
}
