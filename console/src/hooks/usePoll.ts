import { useEffect, useState } from 'react';
import { api } from '../api';

/**
 * Reads `path` and reads it again every `intervalMs` while `again` says the answer is
 * still changing (a move running, an export being written); `version` reads it anew
 * after an action of the user's. A failed read shows as the error and stops the polling.
 */
export function usePoll<T>(
  path: string | null,
  again: (value: T) => boolean,
  intervalMs: number,
  version = 0,
): { value: T | null; error: unknown } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!path) {
      return undefined;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function read() {
      try {
        const result = await api<T>(path as string);
        if (stopped) {
          return;
        }
        setValue(result);
        setError(null);
        if (again(result)) {
          timer = setTimeout(read, intervalMs);
        }
      } catch (failure) {
        if (!stopped) {
          setError(failure);
        }
      }
    }
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // `again` is a pure function of the answer; a new one per render must not restart
    // the polling.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, intervalMs, version]);

  return { value, error };
}
