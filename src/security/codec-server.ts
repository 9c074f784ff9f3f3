/**
 * Codec server for Temporal Web (and the `temporal` CLI): decrypts report payloads for authorised
 * operators, and encrypts the JSON an operator types when sending a signal or update from the UI.
 *
 *   POST /decode, POST /encode   body and answer {"payloads":[{"metadata":{k: base64}, "data": base64}]}
 *   GET  /healthz                200 "ok" (no payload, no auth)
 *
 * CORS answers only the configured UI origins (SPDR_CODEC_CORS_ORIGINS, default
 * http://localhost:8233). Every encode/decode needs `Authorization: Bearer <SPDR_CODEC_TOKEN>`
 * (compared in constant time) unless SPDR_CODEC_ALLOW_NO_AUTH=1. Bodies over the size limit are
 * refused with 413. Nothing from a payload is ever logged.
 *
 *   npm run codec-server        (SPDR_CODEC_KEYS, SPDR_CODEC_CURRENT_KEY as for the worker)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { Secret } from '../config/config';
import { CodecConfigError, loadCodecFromEnv, PayloadDecryptionError } from './codec';

export const DEFAULT_CODEC_PORT = 8888;
export const DEFAULT_CORS_ORIGIN = 'http://localhost:8233';
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Bearer token every encode/decode must carry; required unless `allowNoAuth`. */
  token?: Secret | string;
  /** Serve without authentication (local development only). */
  allowNoAuth?: boolean;
  /** Origins allowed to call from a browser, e.g. `http://localhost:8233`. */
  corsOrigins?: readonly string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8888; 0 = any free port. */
  port?: number;
  /** Default 4 MiB. */
  maxBodyBytes?: number;
  /** One line per refused request (never payloads, never tokens). Default: silent. */
  log?: (line: string) => void;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({
  metadata: z.record(z.string(), Base64).optional().nullable(),
  data: Base64.optional().nullable(),
});
const CodecRequest = z.object({ payloads: z.array(JsonPayload).max(10_000) });
type JsonPayload = z.infer<typeof JsonPayload>;

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): { metadata: Record<string, string>; data: string } {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time check of `Authorization: Bearer <token>` (hashing first hides the token's length). */
function authorized(header: string | undefined, expected: Buffer | undefined): boolean {
  if (!expected) return true;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  const presented = digest(match ? match[1] : '');
  return timingSafeEqual(presented, expected) && match !== null;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `request body over ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

interface CodecCall {
  path: string;
  cors: Record<string, string>;
  codec: CodecServerOptions['codec'];
  limit: number;
  log: (line: string) => void;
}

/** Reads, checks, decodes or encodes one authorized request's payloads and answers it. */
async function answerCodecRequest(req: IncomingMessage, res: ServerResponse, call: CodecCall): Promise<void> {
  const { path, cors, codec, limit, log } = call;
  try {
    const text = await readBody(req, limit);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'body must be JSON: {"payloads":[...]}');
    }
    const parsed = CodecRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(
        400,
        `body must be {"payloads":[{"metadata":{...},"data":"<base64>"}]}: ${issue.path.join('.')}: ${issue.message}`,
      );
    }
    const payloads = parsed.data.payloads.map(fromJson);
    const out = path === '/decode' ? await codec.decode(payloads) : await codec.encode(payloads);
    send(res, 200, { payloads: out.map(toJson) }, cors);
  } catch (err) {
    if (err instanceof HttpError) {
      log(`codec server: ${err.status} ${path}: ${err.message}`);
      if (err.status === 413) res.setHeader('Connection', 'close');
      return send(res, err.status, { error: err.message }, cors);
    }
    if (err instanceof PayloadDecryptionError) {
      log(`codec server: 422 ${path}: ${err.message}`);
      return send(res, 422, { error: err.message }, cors);
    }
    log(`codec server: 500 ${path}: ${err instanceof Error ? err.name : 'error'}`);
    send(res, 500, { error: 'internal error' }, cors);
  }
}

/** Starts the codec server; resolves once it listens. */
export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const tokenText = typeof opts.token === 'string' ? opts.token : opts.token?.reveal();
  if (!tokenText && !opts.allowNoAuth) throw new Error('codec server: a bearer token is required (or allowNoAuth for local development)');
  const expected = tokenText ? digest(tokenText) : undefined;
  const origins = new Set(opts.corsOrigins ?? [DEFAULT_CORS_ORIGIN]);
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = opts.log ?? (() => {});

  const server = createServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> = { Vary: 'Origin' };
    if (origin && origins.has(origin)) {
      cors['Access-Control-Allow-Origin'] = origin;
      cors['Access-Control-Allow-Credentials'] = 'true';
    }
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';

    if (req.method === 'OPTIONS') {
      // Preflights carry no Authorization header; they reveal nothing but the CORS policy.
      const preflight = cors['Access-Control-Allow-Origin']
        ? {
            ...cors,
            'Access-Control-Allow-Methods': 'POST, OPTIONS',
            'Access-Control-Allow-Headers': ALLOWED_HEADERS,
            'Access-Control-Max-Age': '600',
          }
        : cors;
      res.writeHead(204, preflight);
      res.end();
      return;
    }
    if (path === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/plain', ...cors });
      res.end('ok');
      return;
    }
    if (path !== '/decode' && path !== '/encode') return send(res, 404, { error: 'not found' }, cors);
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { ...cors, Allow: 'POST, OPTIONS' });
    if (!authorized(req.headers.authorization, expected)) {
      log(`codec server: 401 ${path} from ${req.socket.remoteAddress ?? '?'}`);
      req.resume();
      return send(res, 401, { error: 'unauthorized' }, { ...cors, 'WWW-Authenticate': 'Bearer' });
    }

    void answerCodecRequest(req, res, { path, cors, codec: opts.codec, limit, log });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_CODEC_PORT, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Settings from the environment and the `npm run codec-server` entry point

export interface CodecServerSettings extends CodecServerOptions {
  host: string;
  port: number;
  corsOrigins: string[];
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

/**
 * SPDR_CODEC_KEYS / SPDR_CODEC_CURRENT_KEY (required here), SPDR_CODEC_TOKEN (required unless
 * SPDR_CODEC_ALLOW_NO_AUTH=1), SPDR_CODEC_CORS_ORIGINS, SPDR_CODEC_HOST, SPDR_CODEC_PORT,
 * SPDR_CODEC_MAX_BODY_BYTES.
 * @throws CodecConfigError with one line per problem, never a key or the token.
 */
export function loadCodecServerSettings(env: NodeJS.ProcessEnv = process.env): CodecServerSettings {
  const problems: string[] = [];
  let codec: PayloadCodec | undefined;
  try {
    codec = loadCodecFromEnv(env);
    if (!codec) problems.push('SPDR_CODEC_KEYS: is required (the same keyId:base64key entries the worker uses)');
  } catch (err) {
    if (err instanceof CodecConfigError) problems.push(...err.problems);
    else throw err;
  }
  const token = env.SPDR_CODEC_TOKEN?.trim() || undefined;
  const allowNoAuth = env.SPDR_CODEC_ALLOW_NO_AUTH === '1' || env.SPDR_CODEC_ALLOW_NO_AUTH === 'true';
  if (!token && !allowNoAuth)
    problems.push(
      'SPDR_CODEC_TOKEN: is required (a bearer token operators present); SPDR_CODEC_ALLOW_NO_AUTH=1 serves without one, for local development only',
    );
  if (token && !/^[\x21-\x7e]{16,}$/.test(token))
    problems.push('SPDR_CODEC_TOKEN: must be at least 16 printable characters without spaces');

  const corsOrigins = (env.SPDR_CODEC_CORS_ORIGINS?.trim() || DEFAULT_CORS_ORIGIN)
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin === '*') problems.push('SPDR_CODEC_CORS_ORIGINS: "*" is refused; list the Temporal Web origins, e.g. http://localhost:8233');
    else if (!isOrigin(origin)) problems.push(`SPDR_CODEC_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path)`);
  }
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name]?.trim() || String(fallback);
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${text}")`);
      return fallback;
    }
    return n;
  };
  const port = whole('SPDR_CODEC_PORT', DEFAULT_CODEC_PORT, 0, 65_535);
  const maxBodyBytes = whole('SPDR_CODEC_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 64 * 1024 * 1024);
  const host = env.SPDR_CODEC_HOST?.trim() || '127.0.0.1';

  if (problems.length > 0 || !codec) throw new CodecConfigError(problems);
  return { codec, token: token ? new Secret(token) : undefined, allowNoAuth: !token && allowNoAuth, corsOrigins, host, port, maxBodyBytes };
}

async function main(): Promise<void> {
  const settings = loadCodecServerSettings();
  const server = await startCodecServer({ ...settings, log: (line) => console.error(line) });
  console.log(`codec server: ${server.url} (POST /decode, POST /encode); CORS origins: ${settings.corsOrigins.join(', ')}`);
  console.log(
    settings.token
      ? 'codec server: bearer token required'
      : 'codec server: WARNING no authentication (SPDR_CODEC_ALLOW_NO_AUTH=1), local development only',
  );
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof CodecConfigError ? 2 : 1);
  });
}
