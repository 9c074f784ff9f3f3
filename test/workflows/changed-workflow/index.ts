/**
 * A deliberately changed report workflow (and maintenance window), for the negative replay test: the same code, with one
 * new command (a timer) before the first one every committed history recorded. Replaying any of
 * those histories through it must fail, or the replay guard guards nothing.
 */
import { sleep } from '@temporalio/workflow';
import { degradationReport as current, maintenanceWindow as currentWindow } from '../../../src/workflows';

export async function degradationReport(...args: Parameters<typeof current>): ReturnType<typeof current> {
  await sleep('1 second');
  return current(...args);
}

/** The maintenance window, changed the same way. */
export async function maintenanceWindow(...args: Parameters<typeof currentWindow>): ReturnType<typeof currentWindow> {
  await sleep('1 second');
  return currentWindow(...args);
}
