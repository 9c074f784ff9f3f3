/**
 * A deliberately changed report workflow, for the negative replay test: the same code, with one
 * new command (a timer) before the first one every committed history recorded. Replaying any of
 * those histories through it must fail, or the replay guard guards nothing.
 */
import { sleep } from '@temporalio/workflow';
import { degradationReport as current } from '../../../src/workflows';

export async function degradationReport(...args: Parameters<typeof current>): ReturnType<typeof current> {
  await sleep('1 second');
  return current(...args);
}
