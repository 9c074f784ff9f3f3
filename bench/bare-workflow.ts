/**
 * The arming baseline: started exactly like a report (same client call, same start input, not
 * looked at) and arming one hours-long timer in its first workflow task, with nothing else: no
 * settings local activity, no validation, no search attributes, no details. It imports nothing but
 * the SDK, and section 7 runs it on a worker of its own whose bundle holds only this file, so it
 * does not pay for evaluating the product's modules (the SDK evaluates every module of a bundle
 * for each new workflow): how fast that worker arms these is what bare Temporal does on this machine.
 */
import { sleep } from '@temporalio/workflow';

export async function armingBaseline(_input: unknown): Promise<void> {
  await sleep('4h');
}
