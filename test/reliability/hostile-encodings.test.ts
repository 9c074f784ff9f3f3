/**
 * Payloads the worker cannot decode, sent raw (through the gRPC API) and through clients with
 * another codec: an unknown encoding (`binary/encrypted` to a worker without a codec), a key id the
 * worker does not hold, a tampered ciphertext, `json/plain` that is not JSON, no encoding at all.
 *
 * Each is recorded in `rejectedInputs` (signal) or refused (update) with a reason naming the
 * encoding or key problem; the report keeps answering its query and applying messages, with zero
 * workflow task failures. An undecodable start input fails the start with InvalidStartInput.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Report } from '../../src/domain';
import { AesGcmCodec } from '../../src/security/codec';
import { workerDataConverter } from '../../src/security/data-converter';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems } from '../support/fake-activities';
import { auditWorkflowTasks, eventually } from './helpers';

let dev: Awaited<ReturnType<typeof connectToDevServer>>;
const codecA = new AesGcmCodec({ keys: [{ id: 'key-a', key: randomBytes(32) }], currentKeyId: 'key-a' });
const codecB = new AesGcmCodec({ keys: [{ id: 'key-b', key: randomBytes(32) }], currentKeyId: 'key-b' });
const utf8 = new TextEncoder();

beforeAll(async () => {
  dev = await connectToDevServer();
});
afterAll(async () => {
  await dev?.close();
});

function input(reportId: string) {
  return { reportId, service: { id: 'svc-1' }, severity: 'major', description: 'latency', detectedAt: '2026-11-25T10:00:00Z' };
}

/** A worker as the product builds it (workerDataConverter), with or without payload encryption. */
async function withWorker<T>(codec: AesGcmCodec | undefined, fn: (taskQueue: string, client: Client) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('encodings');
  const dataConverter = workerDataConverter(codec ? { payloadCodecs: [codec] } : undefined);
  const worker = await Worker.create({ connection: dev.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: fakeSystems().activities, dataConverter });
  const client = new Client({ connection: dev.client.connection, dataConverter: codec ? { payloadCodecs: [codec] } : undefined });
  return worker.runUntil(() => fn(taskQueue, client));
}

/** A signal with exactly this payload, past every client-side converter and codec. */
async function rawSignal(client: Client, workflowId: string, signalName: string, payload: Payload): Promise<void> {
  await client.workflowService.signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId },
    signalName,
    input: { payloads: [payload] },
    identity: 'hostile-encodings-test',
  });
}

const BAD: { name: string; payload: () => Payload; reason: RegExp; withCodec: boolean }[] = [
  {
    name: 'binary/encrypted to a worker without a codec',
    payload: () => ({ metadata: { encoding: utf8.encode('binary/encrypted'), 'encryption-key-id': utf8.encode('key-x') }, data: randomBytes(64) }),
    reason: /encoding "binary\/encrypted", key id "key-x".*no payload codec/,
    withCodec: false,
  },
  {
    name: 'an unknown encoding',
    payload: () => ({ metadata: { encoding: utf8.encode('application/x-protobuf-custom') }, data: randomBytes(16) }),
    reason: /encoding "application\/x-protobuf-custom" could not be decoded/,
    withCodec: false,
  },
  { name: 'json/plain that is not JSON', payload: () => ({ metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode('{"author": "x", ') }), reason: /encoding "json\/plain" could not be decoded/, withCodec: false },
  { name: 'no metadata at all', payload: () => ({ data: utf8.encode('{}') }), reason: /encoding "none" could not be decoded/, withCodec: false },
  {
    name: 'a key id the worker does not hold',
    payload: () => ({ metadata: { encoding: utf8.encode('binary/encrypted'), 'encryption-key-id': utf8.encode('key-zz\u0007') }, data: randomBytes(64) }),
    reason: /key id "key-zz\?", which is not configured \(known key ids: key-a\)/,
    withCodec: true,
  },
  {
    name: 'a tampered ciphertext under our key id',
    payload: () => ({ metadata: { encoding: utf8.encode('binary/encrypted'), 'encryption-key-id': utf8.encode('key-a') }, data: randomBytes(80) }),
    reason: /key id "key-a" failed authentication/,
    withCodec: true,
  },
];

describe('undecodable input is bad input, never a failed workflow task', () => {
  for (const withCodec of [false, true]) {
    it(`signals and updates with undecodable payloads are refused with the reason (worker ${withCodec ? 'with' : 'without'} a codec)`, async () => {
      const codec = withCodec ? codecA : undefined;
      await withWorker(codec, async (taskQueue, client) => {
        const reportId = `ENC-${withCodec ? 'C' : 'N'}-${Date.now()}`;
        const workflowId = `spdr-${reportId}`;
        const handle = await client.workflow.start('degradationReport', { taskQueue, workflowId, args: [input(reportId)] });
        const cases = BAD.filter((c) => c.withCodec === withCodec);
        for (const c of cases) await rawSignal(client, workflowId, 'addAnalysis', c.payload());
        // A client with another key: its signal and update carry key id "key-b".
        const otherKey = new Client({ connection: dev.client.connection, dataConverter: { payloadCodecs: [codecB] } });
        const other = otherKey.workflow.getHandle(workflowId);
        await other.signal(MESSAGES.setStatus.signal, { by: 'mallory', status: 'held', reason: 'other codec' });
        const refused = await other.executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'mallory', reason: 'other' }] }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        const keyB = withCodec ? /key id "key-b", which is not configured/ : /encoding "binary\/encrypted", key id "key-b"/;
        expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(new RegExp(`^cancel: .*${keyB.source}`));
        // A raw update with an undecodable payload is refused too.
        const rawUpdate = await client.workflowService
          .updateWorkflowExecution({
            namespace: 'default',
            workflowExecution: { workflowId },
            waitPolicy: { lifecycleStage: 3 },
            request: { meta: { updateId: `u-${Date.now()}`, identity: 'test' }, input: { name: 'assign', args: { payloads: [cases[0].payload()] } } },
          })
          .then((r) => r.outcome?.failure?.message);
        expect(rawUpdate).toMatch(cases[0].reason);

        // Still alive: a good message is applied after them, and the query answers.
        await handle.signal(MESSAGES.addAnalysis.signal, { author: 'noc.anna', summary: 'after the bad ones' });
        const report: Report = await eventually(
          () => handle.query(reportQuery),
          (r) => r.analysis.length === 1,
          'the good message after the undecodable ones',
        );
        expect(report.status).toBe('acknowledged');
        expect(report.rejectedInputs).toHaveLength(cases.length + 1);
        cases.forEach((c, i) => {
          expect(report.rejectedInputs[i].message).toBe('addAnalysis');
          expect(report.rejectedInputs[i].reason, c.name).toMatch(c.reason);
          expect(report.rejectedInputs[i].payloadPreview).toBe('"[undecodable payload]"');
        });
        expect(report.rejectedInputs[cases.length]).toMatchObject({ message: 'setStatus' });
        expect(report.rejectedInputs[cases.length].reason).toMatch(keyB);
        const audit = await auditWorkflowTasks(client, [workflowId]);
        expect(audit.ours).toEqual([]);
        await handle.cancel();
      });
    });
  }

  it('an undecodable start input fails the start clearly (InvalidStartInput naming the key problem)', async () => {
    await withWorker(codecA, async (taskQueue) => {
      const reportId = `ENC-START-${Date.now()}`;
      const otherKey = new Client({ connection: dev.client.connection, dataConverter: { payloadCodecs: [codecB] } });
      const handle = await otherKey.workflow.start('degradationReport', { taskQueue, workflowId: `spdr-${reportId}`, args: [input(reportId)] });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause?.message).toMatch(/^invalid start input: payload could not be decoded: .*key id "key-b", which is not configured/);
      const audit = await auditWorkflowTasks(dev.client, [`spdr-${reportId}`]);
      expect(audit.ours).toEqual([]);
    });
  });
});
