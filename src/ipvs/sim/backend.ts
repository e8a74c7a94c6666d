// The sim backend: the real backend's list/apply/verify code (RunnerBackend) over the
// stand-in's ipvsadm emulation, run in-process on an in-memory table. For TSLVS_BACKEND=sim,
// `tslvs demo` and tests. Same argument building, parsing and verification as with ipvsadm.
import { RunnerBackend, type Runner, type RunOutcome } from '../backend.js';
import { Ipvsadm } from './ipvsadm.js';
import { KernelTable, type KState } from './kernel.js';

/** The stand-in's ipvsadm emulation over an in-memory table. */
export class InProcessRunner implements Runner {
  readonly table: KernelTable;
  constructor(state?: KState) {
    this.table = new KernelTable(state);
  }
  async run(args: string[], stdin?: string): Promise<RunOutcome> {
    const r = new Ipvsadm(this.table, { argv0: 'ipvsadm', stdin: () => stdin ?? '' }).run(args);
    return { ok: true, stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
  }
}

export interface SimBackend extends RunnerBackend {
  readonly runner: InProcessRunner;
}

export function simBackend(state?: KState): SimBackend {
  return new RunnerBackend(new InProcessRunner(state), { name: 'sim' }) as SimBackend;
}
