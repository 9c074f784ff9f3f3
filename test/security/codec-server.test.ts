/** The codec server over real HTTP: auth, CORS, size limit, decode/encode in the UI's JSON shape. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec } from '../../src/security/codec';
import { loadCodecServerSettings, startCodecServer, type CodecServer } from '../../src/security/codec-server';

const TOKEN = randomBytes(24).toString('base64url');
const UI = 'http://localhost:8233';
const key = randomBytes(32);
const codec = new AesGcmCodec({ keys: [{ id: 'k1', key }], currentKeyId: 'k1' });
let server: CodecServer;
const logged: string[] = [];

beforeAll(async () => {
  server = await startCodecServer({ codec, token: TOKEN, corsOrigins: [UI], port: 0, maxBodyBytes: 64 * 1024, log: (l) => logged.push(l) });
});
afterAll(async () => {
  await server?.close();
});

type JsonPayload = { metadata: Record<string, string>; data: string };
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString();

async function encryptedJson(value: unknown): Promise<JsonPayload> {
  const [p] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: UI, 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const auth = { Authorization: `Bearer ${TOKEN}` };

describe('codec server', () => {
  it('decodes with the token, in the JSON shape Temporal Web sends, with the CORS allow header', async () => {
    const payload = await encryptedJson({ description: 'SECRET-CUSTOMER-ACME-1234' });
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64('"not encrypted"') };
    const res = await post('/decode', { payloads: [payload, plain] }, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const body = (await res.json()) as { payloads: JsonPayload[] };
    expect(unb64(body.payloads[0].metadata.encoding)).toBe('json/plain');
    expect(JSON.parse(unb64(body.payloads[0].data))).toEqual({ description: 'SECRET-CUSTOMER-ACME-1234' });
    expect(body.payloads[1]).toEqual(plain);
  });

  it('encodes what an operator types in the UI, and decode gives it back', async () => {
    const typed = { metadata: { encoding: b64('json/plain') }, data: b64('{"author":"noc.anna","summary":"x"}') };
    const enc = (await (await post('/encode', { payloads: [typed] }, auth)).json()) as { payloads: JsonPayload[] };
    expect(unb64(enc.payloads[0].metadata.encoding)).toBe('binary/encrypted');
    expect(unb64(enc.payloads[0].metadata['encryption-key-id'])).toBe('k1');
    const dec = (await (await post('/decode', enc, auth)).json()) as { payloads: JsonPayload[] };
    expect(dec.payloads[0]).toEqual(typed);
  });

  it('refuses a missing, wrong or malformed token with 401 and says nothing more', async () => {
    const payload = await encryptedJson({ description: 'SECRET-CUSTOMER-ACME-1234' });
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: 'Bearer wrong-token' },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: TOKEN },
      { Authorization: `Basic ${TOKEN}` },
    ]) {
      const res = await post('/decode', { payloads: [payload] }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).toBe('{"error":"unauthorized"}');
    }
    expect(logged.join('\n')).not.toContain(TOKEN);
  });

  it('answers the CORS preflight for the UI origin with the headers the UI sends', async () => {
    const res = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const h of ['authorization', 'content-type', 'x-namespace']) expect(allowed).toContain(h);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('gives a disallowed origin no CORS allow header, on the preflight or the request', async () => {
    const pre = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-headers')).toBeNull();
    const res = await post('/decode', { payloads: [] }, { ...auth, Origin: 'https://evil.example' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses oversized and malformed bodies, and names an unknown key id without leaking anything', async () => {
    const big = await post('/decode', { payloads: [{ metadata: {}, data: 'A'.repeat(100 * 1024) }] }, auth);
    expect(big.status).toBe(413);
    expect((await post('/decode', 'not json', auth)).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: '***' }] }, auth)).status).toBe(400);
    const other = new AesGcmCodec({ keys: [{ id: 'k9', key: randomBytes(32) }], currentKeyId: 'k9' });
    const [p] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const foreign = {
      metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data!).toString('base64'),
    };
    const res = await post('/decode', { payloads: [foreign] }, auth);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/key id "k9", which is not configured/);
    expect((await fetch(`${server.url}/decode`, { headers: auth })).status).toBe(405);
    expect((await fetch(`${server.url}/other`, { method: 'POST', headers: auth })).status).toBe(404);
  });
});

describe('codec server settings', () => {
  const keys = `k1:${key.toString('base64')}`;

  it('needs a token unless SPDR_CODEC_ALLOW_NO_AUTH=1, refuses "*" and bad ports, and never echoes secrets', () => {
    let problems: readonly string[] = [];
    try {
      loadCodecServerSettings({ SPDR_CODEC_KEYS: keys, SPDR_CODEC_CORS_ORIGINS: '*,http://ui.example/path', SPDR_CODEC_PORT: '99999' });
    } catch (err) {
      problems = (err as { problems: string[] }).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^SPDR_CODEC_TOKEN: is required/),
      expect.stringMatching(/^SPDR_CODEC_CORS_ORIGINS: "\*" is refused/),
      'SPDR_CODEC_CORS_ORIGINS: "http://ui.example/path" is not an origin (scheme://host[:port], no path)',
      'SPDR_CODEC_PORT: must be a whole number from 0 to 65535 (got "99999")',
    ]);
    expect(() => loadCodecServerSettings({ SPDR_CODEC_TOKEN: 'short' })).toThrow(
      /SPDR_CODEC_KEYS: is required[\s\S]*SPDR_CODEC_TOKEN: must be at least 16/,
    );
    try {
      loadCodecServerSettings({ SPDR_CODEC_KEYS: keys, SPDR_CODEC_TOKEN: 'short token' });
    } catch (err) {
      expect((err as Error).message).not.toContain('short token');
    }
    const ok = loadCodecServerSettings({ SPDR_CODEC_KEYS: keys, SPDR_CODEC_ALLOW_NO_AUTH: '1' });
    expect(ok).toMatchObject({ port: 8888, host: '127.0.0.1', corsOrigins: [UI], allowNoAuth: true });
    const withToken = loadCodecServerSettings({ SPDR_CODEC_KEYS: keys, SPDR_CODEC_TOKEN: TOKEN });
    expect(JSON.stringify(withToken)).not.toContain(TOKEN);
  });

  it('with allowNoAuth, serves without a token', async () => {
    const open = await startCodecServer({ codec, allowNoAuth: true, port: 0 });
    try {
      const res = await fetch(`${open.url}/decode`, { method: 'POST', body: JSON.stringify({ payloads: [] }) });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
    await expect(startCodecServer({ codec, port: 0 })).rejects.toThrow(/bearer token is required/);
  });
});
