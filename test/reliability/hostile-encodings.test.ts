/**
 * Payloads the worker cannot decode, sent raw (through the gRPC API) and through clients with
 * another codec: an unknown encoding (`binary/encrypted` to a worker without a codec), a key id the
 * worker does not hold, a tampered ciphertext, `json/plain` that is not JSON, no encoding at all.
 *
 * Each is recorded in `rejectedInputs` (signal) or refused (update) with a reason naming the
 * encoding or key problem; the report keeps answering its query and applying messages, with zero
 * workflow task failures. An undecodable start input fails the start with InvalidStartInput.
 *
 * Then callbacks that are unsigned (also as a `text/plain` POST a web page could send without a
 * CORS preflight), stale, replayed, forged (wrong secret, tampered body), oversized, or carry an
 * unknown subscription token: each refused (401/413/415), nothing delivered to any report.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { Report } from '../../src/domain';
import { AesGcmCodec } from '../../src/security/codec';
import { newSubscriptionToken, SIGNATURE_HEADER, signCallback } from '../../src/integrations/callback-auth';
import { startCallbackListener, type CallbackListener } from '../../src/integrations/callbacks';
import { workerDataConverter } from '../../src/security/data-converter';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems } from '../support/fake-activities';
import { auditWorkflowTasks, eventually } from './helpers';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

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
  const worker = await Worker.create({
    connection: dev.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: fakeSystems().activities,
    dataConverter,
  });
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
    payload: () => ({
      metadata: { encoding: utf8.encode('binary/encrypted'), 'encryption-key-id': utf8.encode('key-x') },
      data: randomBytes(64),
    }),
    reason: /encoding "binary\/encrypted", key id "key-x".*no payload codec/,
    withCodec: false,
  },
  {
    name: 'an unknown encoding',
    payload: () => ({ metadata: { encoding: utf8.encode('application/x-protobuf-custom') }, data: randomBytes(16) }),
    reason: /encoding "application\/x-protobuf-custom" could not be decoded/,
    withCodec: false,
  },
  {
    name: 'json/plain that is not JSON',
    payload: () => ({ metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode('{"author": "x", ') }),
    reason: /encoding "json\/plain" could not be decoded/,
    withCodec: false,
  },
  {
    name: 'no metadata at all',
    payload: () => ({ data: utf8.encode('{}') }),
    reason: /encoding "none" could not be decoded/,
    withCodec: false,
  },
  {
    name: 'a key id the worker does not hold',
    payload: () => ({
      metadata: { encoding: utf8.encode('binary/encrypted'), 'encryption-key-id': utf8.encode('key-zz\u0007') },
      data: randomBytes(64),
    }),
    reason: /key id "key-zz\?", which is not configured \(known key ids: key-a\)/,
    withCodec: true,
  },
  {
    name: 'a tampered ciphertext under our key id',
    payload: () => ({
      metadata: { encoding: utf8.encode('binary/encrypted'), 'encryption-key-id': utf8.encode('key-a') },
      data: randomBytes(80),
    }),
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
        const workflowId = reportWorkflowId(reportId);
        const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId, args: [input(reportId)] });
        const cases = BAD.filter((c) => c.withCodec === withCodec);
        for (const c of cases) await rawSignal(client, workflowId, 'addAnalysis', c.payload());
        // A client with another key: its signal and update carry key id "key-b".
        const otherKey = new Client({ connection: dev.client.connection, dataConverter: { payloadCodecs: [codecB] } });
        const other = otherKey.workflow.getHandle(workflowId);
        await other.signal(MESSAGES.setStatus.signal, { by: 'mallory', status: 'held', reason: 'other codec' });
        const refused = await other
          .executeUpdate(MESSAGES.cancel.update, { args: [{ by: 'mallory', reason: 'other' }] })
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
        const keyB = withCodec ? /key id "key-b", which is not configured/ : /encoding "binary\/encrypted", key id "key-b"/;
        expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(new RegExp(`^cancel: .*${keyB.source}`));
        // A raw update with an undecodable payload is refused too.
        const rawUpdate = await client.workflowService
          .updateWorkflowExecution({
            namespace: 'default',
            workflowExecution: { workflowId },
            waitPolicy: { lifecycleStage: 3 },
            request: {
              meta: { updateId: `u-${Date.now()}`, identity: 'test' },
              input: { name: 'assign', args: { payloads: [cases[0].payload()] } },
            },
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
      const handle = await otherKey.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(reportId),
        args: [input(reportId)],
      });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause;
      expect(cause?.message).toMatch(/^invalid start input: payload could not be decoded: .*key id "key-b", which is not configured/);
      const audit = await auditWorkflowTasks(dev.client, [reportWorkflowId(reportId)]);
      expect(audit.ours).toEqual([]);
    });
  });
});

describe('callbacks without proof of sender change nothing', () => {
  const secret = 'trouble-callback-secret-for-the-hostile-test-0001';
  const token = newSubscriptionToken();
  const delivered: unknown[] = [];
  let listener: CallbackListener;
  beforeAll(async () => {
    listener = await startCallbackListener({
      port: 0,
      auth: { secrets: { troubleTicket: secret }, hubTokens: new Map([[token, 'partner' as const]]) },
      signal: async (_workflowId, _name, payload) => {
        delivered.push(payload);
      },
    });
  });
  afterAll(async () => {
    await listener?.close();
  });

  let seq = 0;
  const resolvedEvent = (eventId = `ev-${++seq}`) =>
    JSON.stringify({
      eventId,
      eventTime: '2026-11-25T12:00:00Z',
      eventType: 'TroubleTicketStatusChangeEvent',
      event: { troubleTicket: { id: 'TT-1', externalId: 'spdr-R-1-rtr-PE-7', status: 'resolved' } },
    });
  const post = (body: string | Buffer, headers: Record<string, string>, path = '/listener/troubleTicketStatusChangeEvent') =>
    fetch(`${listener.url}${path}`, { method: 'POST', headers, body });
  const json = { 'content-type': 'application/json' };

  /** Each callback an attacker or a broken sender may post, with the status and error it must get. */
  const hostileCallbacks = (): { name: string; send: () => Promise<Response>; status: number; error: RegExp }[] => [
    { name: 'unsigned', send: () => post(resolvedEvent(), json), status: 401, error: /no proof of sender|missing x-spdr-signature/ },
    {
      name: 'text/plain (no CORS preflight)',
      send: () => post(resolvedEvent(), { 'content-type': 'text/plain' }),
      status: 415,
      error: /only application\/json/,
    },
    {
      name: 'stale (signed 6 minutes ago)',
      send: () => {
        const body = resolvedEvent();
        return post(body, { ...json, [SIGNATURE_HEADER]: signCallback(secret, body, Date.now() - 6 * 60_000) });
      },
      status: 401,
      error: /stale signature/,
    },
    {
      name: 'forged (another secret)',
      send: () => {
        const body = resolvedEvent();
        return post(body, { ...json, [SIGNATURE_HEADER]: signCallback('not-the-secret-not-the-secret-not-the', body) });
      },
      status: 401,
      error: /wrong signature/,
    },
    {
      name: 'tampered body (signed, then changed)',
      send: () => {
        const body = resolvedEvent();
        return post(body.replace('resolved', 'closed'), { ...json, [SIGNATURE_HEADER]: signCallback(secret, body) });
      },
      status: 401,
      error: /wrong signature/,
    },
    {
      name: 'malformed signature',
      send: () => post(resolvedEvent(), { ...json, [SIGNATURE_HEADER]: 'v1=abc' }),
      status: 401,
      error: /malformed/,
    },
    {
      name: 'oversized (2 MB)',
      send: () => {
        const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
        return post(body, { ...json, [SIGNATURE_HEADER]: signCallback(secret, body) });
      },
      status: 413,
      error: /larger than/,
    },
    {
      name: 'unknown subscription token',
      send: () => post(resolvedEvent(), json, `/listener/hub/${newSubscriptionToken()}/partnerRequestStatusChangeEvent`),
      status: 401,
      error: /unknown subscription token/,
    },
    {
      name: 'a token of one source used for another',
      send: () => post(resolvedEvent(), json, `/listener/hub/${token}/troubleTicketStatusChangeEvent`),
      status: 401,
      error: /unknown subscription token/,
    },
  ];

  it('refuses unsigned, text/plain, stale, forged, tampered, replayed, oversized and wrong-token callbacks', async () => {
    const attacks = hostileCallbacks();
    for (const attack of attacks) {
      const response = await attack.send().catch((err: unknown) => err);
      if (response instanceof Response) {
        expect(response.status, attack.name).toBe(attack.status);
        expect(((await response.json()) as { error: string }).error, attack.name).toMatch(attack.error);
      } else {
        // A 2 MB body may be cut off by the 413 before it is all sent: refused either way.
        expect(attack.name).toMatch(/oversized/);
      }
    }
    expect(delivered).toEqual([]);

    // The genuine article gets through once; the same event again is a replay.
    const body = resolvedEvent('ev-genuine');
    const signed = { ...json, [SIGNATURE_HEADER]: signCallback(secret, body) };
    expect((await post(body, signed)).status).toBe(204);
    const replay = await post(body, { ...json, [SIGNATURE_HEADER]: signCallback(secret, body) });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toMatch(/replayed event ev-genuine/);
    expect(delivered).toHaveLength(1);
  });

  it('a hub that cannot sign is proven by its subscription token; a partner status the report has no meaning for is 422', async () => {
    const event = (status: string) =>
      JSON.stringify({
        eventId: `pe-${status}`,
        eventTime: '2026-11-25T12:00:00Z',
        eventType: 'PartnerRequestStatusChangeEvent',
        event: { performanceRequest: { id: 'PR-1', externalId: 'spdr-R-1-pr-acme-FIB-9', partyId: 'acme', status } },
      });
    const path = `/listener/hub/${token}/partnerRequestStatusChangeEvent`;
    expect((await post(event('resolved'), json, path)).status).toBe(204);
    const held = await post(event('held'), json, path);
    expect(held.status).toBe(422);
    expect(((await held.json()) as { error: string }).error).toMatch(/status "held" has no meaning/);
    expect(delivered.at(-1)).toMatchObject({ status: 'resolved', partyId: 'acme' });
  });

  it('unauthenticated callbacks are an explicit opt-in, refused on a non-loopback address', async () => {
    await expect(
      startCallbackListener({ port: 0, host: '0.0.0.0', auth: { unauthenticated: true }, signal: async () => undefined }),
    ).rejects.toThrow(/non-loopback/);
  });
});
