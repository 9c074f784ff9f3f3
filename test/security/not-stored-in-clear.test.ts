/**
 * With the codec on, report data never reaches Temporal's database in clear: a worker and a client
 * encrypt on a real dev server, then a client WITHOUT the codec reads the raw history and finds
 * neither the description nor the analysis text anywhere, only `binary/encrypted` payloads.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SpdrClient, type StartInputJson } from '../../src/client';
import { dataConverterFromEnv } from '../../src/security/data-converter';
import { connectToDevServer, uniqueTaskQueue } from '../support/env';
import { startFakeWorker, type RunningFakeWorker } from '../support/fake-worker';
import { reportWorkflowId } from '../../src/contract';

const SECRET_DESCRIPTION = 'SECRET-CUSTOMER-ACME-1234 call setup latency for the bank';
const SECRET_ANALYSIS = 'SECRET-ANALYSIS-PE7-OPTICS-5678';
const SECRET_ASSIGNEE_NOTE = 'SECRET-TITLE-9012';
const codecEnv = { SPDR_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`, SPDR_CODEC_CURRENT_KEY: 'k1' };

let server: Awaited<ReturnType<typeof connectToDevServer>>;
let worker: RunningFakeWorker;
let encrypted: SpdrClient;
let plainClient: Client;
const taskQueue = uniqueTaskQueue('security-at-rest');

beforeAll(async () => {
  server = await connectToDevServer();
  const dataConverter = dataConverterFromEnv(codecEnv);
  expect(dataConverter).toBeDefined();
  worker = await startFakeWorker(server.nativeConnection, { taskQueue, dataConverter });
  const client = new Client({ connection: server.client.connection, dataConverter });
  encrypted = new SpdrClient(client, { taskQueue });
  plainClient = server.client;
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

/** Every Payload-shaped object in a decoded history, with where it sits, search attributes apart. */
function payloadsIn(value: unknown, path = 'history', out: { path: string; payload: temporal.api.common.v1.IPayload }[] = []) {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => payloadsIn(item, `${path}[${i}]`, out));
    return out;
  }
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record) {
    out.push({ path, payload: record as temporal.api.common.v1.IPayload });
    return out;
  }
  for (const [key, child] of Object.entries(record)) {
    if (key === 'searchAttributes') continue; // indexed for the list filters; never encrypted (keyword values only)
    payloadsIn(child, `${path}.${key}`, out);
  }
  return out;
}

describe('payload encryption at rest', () => {
  it('stores description, analysis and assignment only encrypted, and the codec client reads them back', async () => {
    const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
    const input: StartInputJson = {
      reportId: `SEC-${runTag}`,
      service: { id: `svc-sec-${runTag}`, name: 'VoLTE core Frankfurt 1' },
      severity: 'major',
      description: SECRET_DESCRIPTION,
      detectedAt: '2026-11-25T10:00:00Z',
      degradedKpis: [{ name: 'callSetupLatencyP95', threshold: 3000, observed: 4200, unit: 'ms' }],
    };
    await encrypted.open(input);
    await encrypted.signal(input.reportId, 'addAnalysis', { author: 'noc.anna', summary: SECRET_ANALYSIS });
    await encrypted.update(input.reportId, 'assign', {
      by: 'noc.anna',
      taskId: 't1',
      kind: 'analysis',
      assignee: 'noc.bob',
      title: SECRET_ASSIGNEE_NOTE,
    });

    // The codec client decodes the `report` query.
    const report = await encrypted.get(input.reportId);
    expect(report.description).toBe(SECRET_DESCRIPTION);
    expect(report.analysis.map((a) => a.summary)).toContain(SECRET_ANALYSIS);
    expect(report.history.some((h) => h.by === 'noc.anna')).toBe(true);

    // A client without the codec sees only ciphertext in the raw history.
    const history = await plainClient.workflow.getHandle(reportWorkflowId(input.reportId)).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    for (const secret of [SECRET_DESCRIPTION, 'SECRET-CUSTOMER-ACME-1234', SECRET_ANALYSIS, SECRET_ASSIGNEE_NOTE]) {
      expect(raw.includes(Buffer.from(secret)), `"${secret}" found in clear in the history`).toBe(false);
    }
    const found = payloadsIn(history);
    expect(found.length).toBeGreaterThanOrEqual(5); // input, summary, details, signal, update, activity results...
    // The one exception: the SDK's own local-activity marker bookkeeping (sequence number, attempt,
    // activity type, times), written by the worker core outside the data converter; no report data.
    const isMarkerBookkeeping = (path: string) => /markerRecordedEventAttributes\.details\.data\.payloads\[0\]$/.test(path);
    // Likewise a patch marker (`patched()`): the core writes the patch id and a deprecation flag; no report data.
    const isPatchMarker = (path: string) => /markerRecordedEventAttributes\.details\.patch-data\.payloads\[0\]$/.test(path);
    for (const { payload } of found.filter(({ path }) => isPatchMarker(path))) {
      expect(Buffer.from(payload.data ?? []).toString()).toContain('spdr-partner-obligations');
    }
    const userPayloads = found.filter(({ path }) => !isMarkerBookkeeping(path) && !isPatchMarker(path));
    for (const { payload } of found.filter(({ path }) => isMarkerBookkeeping(path))) {
      expect(Object.keys(JSON.parse(Buffer.from(payload.data ?? []).toString())).sort()).toEqual([
        'activity_id',
        'activity_type',
        'attempt',
        'backoff',
        'complete_time',
        'original_schedule_time',
        'seq',
      ]);
    }
    const notEncrypted = userPayloads.filter(
      ({ payload }) => Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'binary/encrypted',
    );
    expect(notEncrypted.map((p) => p.path)).toEqual([]);
    for (const { payload } of userPayloads) expect(Buffer.from(payload.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k1');

    // And the plain client cannot read the report: the query answer is ciphertext it cannot convert.
    await expect(plainClient.workflow.getHandle(reportWorkflowId(input.reportId)).query('report')).rejects.toThrow(
      /binary\/encrypted|encoding/i,
    );
  });

  it('a report opened in clear (before encryption was switched on) stays readable and workable', async () => {
    const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
    const input: StartInputJson = {
      reportId: `SEC-OLD-${runTag}`,
      service: { id: `svc-sec-old-${runTag}` },
      severity: 'minor',
      description: 'opened by a client without the codec',
      detectedAt: '2026-11-25T10:00:00Z',
      degradedKpis: [],
    };
    const legacy = new SpdrClient(plainClient, { taskQueue });
    await legacy.open(input); // json/plain input, summary and details
    await legacy.signal(input.reportId, 'addAnalysis', { author: 'noc.carl', summary: 'typed in Temporal Web without a codec server' });
    const report = await encrypted.update(input.reportId, 'setStatus', { by: 'noc.carl', status: 'inProgress', reason: 'working on it' });
    expect(report.status).toBe('inProgress');
    expect(report.description).toBe('opened by a client without the codec');
    expect(report.analysis.map((a) => a.author)).toEqual(['noc.carl']);
  });
});
