/**
 * HTTP plumbing shared by the simulators: routing input, JSON answers, and the fault injection
 * that sits in front of every non-admin request (`/admin/*` is never faulted, so a test can
 * always switch faults off again).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FaultInjector } from './faults';

export interface SimRequest {
  method: string;
  path: string;
  /** Path split on "/", without empty parts. */
  segments: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, undefined when empty. */
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => Reply | Promise<Reply>;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A TMF-style error body: `{code, reason, message, status}`. */
export function tmfError(status: number, message: string): Reply {
  const reasons: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    422: 'Unprocessable Entity',
    503: 'Service Unavailable',
  };
  return { status, body: { code: String(status), reason: reasons[status] ?? 'Error', message, status: String(status) } };
}

export function json(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  return JSON.parse(text) as unknown;
}

function write(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, reply.headers).end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body));
}

/** Admin endpoints every simulator has: `GET|POST|DELETE /admin/faults`. */
function faultAdmin(faults: FaultInjector, req: SimRequest): Reply | undefined {
  if (req.path !== '/admin/faults') return undefined;
  if (req.method === 'GET') return json(200, faults.current());
  if (req.method === 'DELETE') return json(200, faults.reset());
  if (req.method === 'POST') {
    try {
      return json(200, faults.update(req.body ?? {}));
    } catch (error) {
      if (error instanceof z.ZodError) return tmfError(400, z.prettifyError(error).replace(/\n/g, '; '));
      throw error;
    }
  }
  return tmfError(405, 'use GET, POST or DELETE');
}

export interface SimServerOptions {
  port: number;
  host: string;
  faults: FaultInjector;
  handle: Handler;
  /** Counts every non-admin request. */
  onRequest?: () => void;
}

/** Starts one simulator server; resolves once it listens. */
export async function startSimServer(options: SimServerOptions): Promise<RunningServer> {
  const { faults } = options;
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent) write(res, tmfError(500, 'simulator failure'));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const admin = path.startsWith('/admin/');
    const fault = admin ? { decision: 'none' as const, latencyMs: 0 } : faults.decide(method);
    if (!admin) options.onRequest?.();
    if (fault.decision === 'down') {
      req.socket.destroy();
      return;
    }
    let body: unknown;
    try {
      body = await readBody(req);
    } catch {
      return write(res, tmfError(400, 'body is not valid JSON'));
    }
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.decision === 'error') {
      return write(res, { ...tmfError(503, 'simulated outage'), headers: { 'retry-after': '1' } });
    }
    if (fault.decision === 'status422') return write(res, tmfError(422, 'simulated rejection'));

    const request: SimRequest = {
      method,
      path,
      segments: path.split('/').filter(Boolean).map(decodeURIComponent),
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const reply = faultAdmin(faults, request) ?? (await options.handle(request));
    if (fault.decision === 'timeout') {
      // The change is committed; the answer is lost. The client times out and must retry safely.
      hanging.add(res);
      await new Promise<void>((resolve) => {
        res.once('close', resolve);
        setTimeout(resolve, faults.current().hangMs).unref();
      });
      hanging.delete(res);
      res.socket?.destroy();
      return;
    }
    write(res, reply);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const res of hanging) res.socket?.destroy();
      }),
  };
}
