// Settle with the deadline: whatever a library does with a hung peer, the check's promise
// rejects ("timed out") the moment the AbortSignal fires.
export function untilAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new Error('timed out'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/**
 * The single verdict of a socket check: the first call to finish() wins, removes the deadline
 * listener and closes the socket registered with onClose(); the deadline finishes with
 * `abortWhy()` (evaluated then, so it can say how far the exchange got).
 */
export function firstVerdict(signal: AbortSignal, abortWhy: () => string, settle: (up: boolean, why: string) => void): {
  finish: (up: boolean, why: string) => void;
  onClose: (close: () => void) => void;
} {
  let settled = false;
  let close: () => void = () => undefined;
  const finish = (up: boolean, why: string) => {
    if (settled) return;
    settled = true;
    signal.removeEventListener('abort', onAbort);
    close();
    settle(up, why);
  };
  const onAbort = () => finish(false, abortWhy());
  signal.addEventListener('abort', onAbort, { once: true });
  return { finish, onClose: (c) => { close = c; } };
}
