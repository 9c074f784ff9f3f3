/**
 * Determinism guard: the committed histories of every lifecycle scenario replay through the
 * current workflow code. A change that would break reports already running fails here first.
 * They include updates (a refused update leaves no event, so only accepted ones are in history),
 * continue-as-new chains, a run started with carried pending effects, failed and retried
 * activities, an outside-system outage and a paced burst; and a deliberately changed workflow
 * must fail replay, so the guard itself is tested.
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
import { reportWorkflowId } from '../../src/contract';
import { windowWorkflowId } from '../../src/contract/maintenance';

// Current captures at the top, and in sub-folders the histories recorded by earlier workflow code
// (e.g. before-early-wake/): reports started then may still be running and must replay too.
const files = (readdirSync(HISTORY_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();

describe('replay of committed histories', () => {
  it('has histories to replay', () => {
    expect(files.filter((f) => !f.includes('/')).length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.includes('/')).length).toBeGreaterThanOrEqual(8);
  });

  it('cover updates, continue-as-new with carried effects, failed and retried activities, an outage and a paced burst', () => {
    const events = files.filter((f) => !f.includes('/')).flatMap((f) => load(f).history.events ?? []);
    const carried = events
      .map((e) => e.workflowExecutionStartedEventAttributes?.input?.payloads?.[1])
      .filter((p) => p !== undefined)
      .map((p) => defaultPayloadConverter.fromPayload<{ pendingEffects?: unknown[] }>(p!));
    const oneMs = (e: (typeof events)[number]) => {
      const d = e.timerStartedEventAttributes?.startToFireTimeout;
      return d !== undefined && d !== null && Number(d.seconds ?? 0) === 0 && Number(d.nanos ?? 0) === 1_000_000;
    };
    expect(
      events.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes),
      'an accepted update',
    ).toBe(true);
    expect(
      events.some((e) => e.workflowExecutionContinuedAsNewEventAttributes),
      'a continue-as-new',
    ).toBe(true);
    expect(carried.length, 'runs started with carried state').toBeGreaterThan(0);
    expect(
      carried.some((c) => (c.pendingEffects?.length ?? 0) > 0),
      'a run started with carried pending effects',
    ).toBe(true);
    expect(
      events.some((e) => e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes),
      'a failed activity',
    ).toBe(true);
    expect(
      events.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1),
      'a retried activity',
    ).toBe(true);
    expect(events.some(oneMs), 'a paced burst (1 ms pacing timer)').toBe(true);
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
  const changed = bundleReportWorkflows({
    workflowsPath: join(__dirname, 'changed-workflow', 'index.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const current = files.filter((f) => !f.includes('/'));

  it.each(current)('%s fails with a determinism violation', async (file) => {
    const { history, workflowId } = load(file);
    await expect(Worker.runReplayHistory({ workflowBundle: await changed }, history, workflowId)).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});

function load(file: string) {
  const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORY_DIR, file), 'utf8')));
  // The workflow insists on its contract id (spdr-<reportId>, a window's mw-<windowId>), so replay under that id.
  const started = history.events![0].workflowExecutionStartedEventAttributes!;
  const input = defaultPayloadConverter.fromPayload<{ reportId?: string; windowId?: string }>(started.input!.payloads![0]);
  return { history, workflowId: input.windowId ? windowWorkflowId(input.windowId) : reportWorkflowId(String(input.reportId)) };
}
