/**
 * Determinism guard: the committed histories of every lifecycle scenario replay through the
 * current workflow code. A change that would break reports already running fails here first.
 * Capture new histories with `npm run histories:capture` (see README, "Changing workflow code").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { HISTORY_DIR } from '../support/scenarios';
import { workflowBundle } from '../support/env';
import { bundleReportWorkflows } from '../../src/infra/workflow-bundle';

// Current captures at the top, and in sub-folders the histories recorded by earlier workflow code
// (e.g. before-early-wake/): reports started then may still be running and must replay too.
const files = (readdirSync(HISTORY_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();

describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(files.filter((f) => !f.includes('/')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.includes('/')).length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const { history, workflowId } = load(file);
    expect(history.events?.length).toBeGreaterThan(3);
    // Throws DeterminismViolationError (or any replay failure) if the code no longer matches the history.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
  });
});

// The guard itself, as in the SDK's own test-replay.ts: a changed workflow must fail replay.
describe('replay through a deliberately changed workflow', () => {
  const changed = bundleReportWorkflows({ workflowsPath: join(__dirname, 'changed-workflow', 'index.ts'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const current = files.filter((f) => !f.includes('/'));

  it.each(current)('%s fails with a determinism violation', async (file) => {
    const { history, workflowId } = load(file);
    await expect(Worker.runReplayHistory({ workflowBundle: await changed }, history, workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

function load(file: string) {
  const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORY_DIR, file), 'utf8')));
  // The workflow insists on its contract id, spdr-<reportId>, so replay under that id.
  const started = history.events![0].workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<{ reportId?: string }>(started.input!.payloads![0]);
  return { history, workflowId: `spdr-${input.reportId}` };
}
