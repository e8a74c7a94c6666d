// Run a check command without a shell, in its own process group, bounded by an AbortSignal.
// At the deadline the whole group gets SIGTERM (what ldirectord sends, but only to the child)
// and, if anything is still alive a second later, SIGKILL, so scripts that fork helpers
// (curl, nc, ...) cannot outlive their check.
import { spawn } from 'node:child_process';

export interface RunOutcome {
  /** 'exit' with code, 'signal' when killed by a signal, 'timeout', or 'error' (could not start). */
  kind: 'exit' | 'signal' | 'timeout' | 'error';
  code?: number;
  signalName?: string;
  error?: string;
  /** The last few hundred bytes the command wrote to stderr/stdout, for the message. */
  output: string;
}

export function runBounded(file: string, args: string[], signal: AbortSignal): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let output = '';
    let settled = false;
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const keep = (chunk: Buffer) => { output = (output + chunk.toString('utf8')).slice(-400); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try { process.kill(-child.pid, sig); } catch { /* group already gone */ }
    };
    const finish = (o: Omit<RunOutcome, 'output'>) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // Grandchildren may still hold the pipes open: stop reading so they cannot keep us alive.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ...o, output: output.trim() });
    };
    let exited: Omit<RunOutcome, 'output'> | null = null;
    const onAbort = () => {
      if (exited) { finish(exited); return; }
      killGroup('SIGTERM');
      const t = setTimeout(() => killGroup('SIGKILL'), 1000);
      t.unref();
      finish({ kind: 'timeout' });
    };
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'error', error: err.code === 'ENOENT' ? `${file}: not found` : err.message });
    });
    child.once('exit', (code, sig) => {
      // The command is done; helpers it left behind in its group go too.
      killGroup('SIGKILL');
      const outcome: Omit<RunOutcome, 'output'> = sig ? { kind: 'signal', signalName: sig } : { kind: 'exit', code: code ?? -1 };
      exited = outcome;
      const done = () => finish(outcome);
      // Let the last output arrive ('close'), but do not wait on pipes a helper kept open.
      child.once('close', done);
      setTimeout(done, 100).unref();
    });
  });
}

export function describeOutcome(o: RunOutcome): string {
  const tail = o.output ? ` (${o.output.split('\n').slice(-1)[0]!.slice(0, 200)})` : '';
  switch (o.kind) {
    case 'exit': return `exit status ${o.code}${tail}`;
    case 'signal': return `killed by ${o.signalName}${tail}`;
    case 'timeout': return 'timed out, process group killed';
    default: return `cannot run: ${o.error}`;
  }
}
