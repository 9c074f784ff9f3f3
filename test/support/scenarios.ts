/** Scenario bookkeeping shared by the workflow test files. */
import type { temporal } from '@temporalio/proto';

/** Prints one line per scenario: its virtual duration and the wall time it took. */
export function recordScenario(name: string, virtualMs: number, wallMs: number): void {
  const hours = (virtualMs / 3600_000).toFixed(2);
  console.log(`[scenario] ${name}: virtual ${hours} h, wall ${(wallMs / 1000).toFixed(2)} s`);
}

/** Timers started in a history and how many were neither fired nor cancelled. */
export function timerBalance(history: temporal.api.history.v1.IHistory): { started: number; open: number } {
  const open = new Set<string>();
  let started = 0;
  for (const e of history.events ?? []) {
    if (e.timerStartedEventAttributes) {
      started += 1;
      open.add(e.timerStartedEventAttributes.timerId!);
    }
    if (e.timerFiredEventAttributes) open.delete(e.timerFiredEventAttributes.timerId!);
    if (e.timerCanceledEventAttributes) open.delete(e.timerCanceledEventAttributes.timerId!);
  }
  return { started, open: open.size };
}
