/**
 * The cluster's child processes (PostgreSQL, Temporal Server): started with their output in a log
 * file, stopped with a grace period, killed with this process, and a crash of one reported once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export type Log = (line: string) => void;

export class ClusterProvisioningError extends Error {}

export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/** The running children; one that exits while the group is not stopping resolves `crashed`. */
export class ChildGroup {
  private readonly children: Child[] = [];
  private stopping = false;
  private reportCrash: (what: string) => void = () => {};
  /** Resolves when a child exits unexpectedly, with its name, exit code and the end of its log. */
  readonly crashed = new Promise<string>((r) => (this.reportCrash = r));
  private readonly killAll = (): void => {
    for (const c of this.children) c.proc.kill('SIGKILL');
  };

  constructor() {
    process.once('exit', this.killAll);
  }

  spawn(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Child {
    const out = openSync(logFile, 'a');
    const proc = spawn(cmd, args, { env, stdio: ['ignore', out, out] });
    closeSync(out);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
    const child = { name, proc, exited };
    void exited.then((code) => {
      const i = this.children.indexOf(child);
      if (i >= 0) this.children.splice(i, 1);
      if (!this.stopping && i >= 0) this.reportCrash(`${name} exited (${code}); the end of ${logFile}:\n${tail(logFile, 1500)}`);
    });
    this.children.push(child);
    return child;
  }

  /** Stops one child (no crash is reported for it): `signal`, then SIGKILL after `graceMs`. */
  async stopChild(child: Child | undefined, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
    child.proc.kill(signal);
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
  }

  /** From now on an exit is expected, not a crash. */
  beginStopping(): void {
    this.stopping = true;
  }

  /** The last child has been stopped: no more killing on process exit. */
  release(): void {
    process.removeListener('exit', this.killAll);
  }
}

function tail(file: string, chars: number): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

/** Calls `probe` every 300 ms until it returns true; fails after `timeoutMs` or as soon as `abort` resolves. */
export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs: number, abort?: Promise<string>): Promise<void> {
  const until = Date.now() + timeoutMs;
  let aborted: string | undefined;
  void abort?.then((why) => (aborted = why));
  let last: unknown;
  while (Date.now() < until) {
    if (aborted) throw new Error(`waiting for ${what}: ${aborted}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`,
  );
}
