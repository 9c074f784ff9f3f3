/** Scenario bookkeeping shared by the workflow test files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** Where `npm run histories:capture` writes the histories that the replay test runs through the current code. */
export const HISTORY_DIR = join(__dirname, '..', 'histories');

/** Writes the history of each report a scenario started, named after the scenario. */
export async function captureHistories(scenario: string, handles: WorkflowHandle[]): Promise<void> {
  mkdirSync(HISTORY_DIR, { recursive: true });
  const slug = scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
  for (const [i, h] of handles.entries()) {
    const history = await h.fetchHistory();
    writeFileSync(join(HISTORY_DIR, `${slug}${handles.length > 1 ? `-${i + 1}` : ''}.json`), historyToJSON(history));
  }
}

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
