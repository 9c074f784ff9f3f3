/**
 * One durable timer for the report's next deadline, kept while the deadline stays the same:
 * messages that do not move it (most of them) neither start nor cancel a timer. Firing calls
 * `onFire` (the main loop counts it as a change).
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

/** The worker's clock at a moment of workflow time (see {@link DeadlineTimer.setClockHint}). */
interface ClockHint {
  workflowMs: number;
  wallMs: number;
}

export class DeadlineTimer {
  private armed: { at: number; scope: CancellationScope } | undefined;
  private clockHint: ClockHint | undefined;

  constructor(private readonly onFire: () => void) {}

  /**
   * A timer runs from when the server starts it, at the end of the workflow task, but its duration
   * is computed from workflow time, the start of that task. In the first task, which waits for the
   * settings local activity, they differ by the activity's time (0.7 s median on a busy worker),
   * and the first deadline would be late by as much. So while workflow time has not moved on,
   * "now" for arming is the later of workflow time and the worker's clock when settings were read.
   */
  setClockHint(workflowMs: number, wallMs: number): void {
    this.clockHint = { workflowMs, wallMs };
  }

  get armedAt(): number | undefined {
    return this.armed?.at;
  }

  /** Arms the timer for `at` (undefined: none); `summary` is shown in Temporal Web. */
  arm(at: number | undefined, summary: (at: number) => string): void {
    if (this.armed?.at === at) return;
    this.cancel();
    if (at === undefined) return;
    const scope = new CancellationScope();
    this.armed = { at, scope };
    // A worker clock ahead of the server's only makes the timer fire early; the loop then re-arms the rest.
    const hint = this.clockHint;
    const now = hint && hint.workflowMs === Date.now() ? Math.max(Date.now(), hint.wallMs) : Date.now();
    scope
      .run(() => sleep(Math.max(1, at - now), { summary: summary(at) }))
      .then(
        () => {
          if (this.armed?.at === at) this.armed = undefined;
          this.onFire();
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }

  cancel(): void {
    this.armed?.scope.cancel();
    this.armed = undefined;
  }
}
