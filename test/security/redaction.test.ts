/**
 * One redaction for every text the product writes down. Tokens in URL paths and queries, basic-auth
 * parts, API keys and bearer credentials never reach a log line, a failure message or detail that
 * enters a report's history, or an escalation; remote error text is bounded and on one line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { redactSecrets, redactUrl } from '../../src/contract/redact';
import { redactedConfig, loadIntegrationConfig } from '../../src/config/config';
import { Secret } from '../../src/config/secret';
import { sendHttp } from '../../src/integrations/http';
import { redactedFailure } from '../../src/activities';
import { startCallbackListener } from '../../src/integrations/callbacks';

const HUB_TOKEN = 'Zx81kP0qLm29VbNw7Rt4Yc6Hs3Jd5Fg8Ka1Ue0Wo2Ip';
const SECRETS = ['s3cr3t-query', 'pa55word', HUB_TOKEN, 'AKIA1234567890SECRETKEY', 'bearer-value-123', 'sk_live_51Habc'];

function expectClean(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('redactSecrets', () => {
  it('masks query values, user-info, hub tokens in paths, credential pairs and bearer/basic credentials', () => {
    const text = [
      `POST https://user:pa55word@hooks.example/notify?token=s3cr3t-query&x=1 failed`,
      `callback http://worker:8090/listener/hub/${HUB_TOKEN}/troubleTicketStatusChangeEvent refused`,
      `relative /listener/hub/${HUB_TOKEN}/partnerEvent`,
      'access_token=AKIA1234567890SECRETKEY api_key: sk_live_51Habc',
      'Authorization: Bearer bearer-value-123',
      '{"password":"pa55word"}',
    ].join('\n');
    const out = redactSecrets(text);
    expectClean(out);
    expect(out).toContain('https://***@hooks.example/notify?***');
    expect(out).toContain('/listener/hub/***/troubleTicketStatusChangeEvent');
    expect(out).toContain('Bearer ***');
    expect(out).not.toMatch(/\n/);
  });

  it('keeps the ids a reader needs, and bounds and flattens hostile text', () => {
    expect(redactSecrets('ticket TT-0042 for spdr-R-1001-rtr-PE-7 at http://127.0.0.1:8081/troubleTicket/TT-0042')).toBe(
      'ticket TT-0042 for spdr-R-1001-rtr-PE-7 at http://127.0.0.1:8081/troubleTicket/TT-0042',
    );
    const hostile = `line1\u0000\u001b[31m\r\nline2 ${'x'.repeat(5000)}`;
    const out = redactSecrets(hostile, 300);
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).not.toMatch(/[\u0000-\u001f]/);
    expect(redactSecrets('the token is bearer-value-123', 100, ['bearer-value-123'])).toBe('the token is ***');
  });

  it('redactUrl masks and refuses to echo what is not a URL', () => {
    expect(redactUrl('https://a:b@x.example/hooks/T000/B000?sig=abc')).toBe('https://***@x.example/hooks/***/***?***');
    expect(redactUrl('not a url with pa55word')).toBe('[unparseable URL]');
  });

  it('the configuration summary masks tokens in webhook paths too', () => {
    const config = loadIntegrationConfig({
      SPDR_TROUBLE_URL: 'https://tt.example/tmf',
      SPDR_CLOSE_URL: `https://close.example/hook?token=s3cr3t-query`,
      SPDR_ESCALATION_URL: `https://hooks.example/services/T01/B02/${HUB_TOKEN}`,
    });
    expectClean(JSON.stringify(redactedConfig(config)));
  });
});

describe('HTTP failures that enter a history', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const echo = `bad request to ${req.url} with access_token=AKIA1234567890SECRETKEY; auth ${req.headers.authorization}`;
      res.writeHead(req.url?.startsWith('/fail') ? 503 : 422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `${echo}\n${'y'.repeat(3000)}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const path of [`/refuse/hub/${HUB_TOKEN}?token=s3cr3t-query`, `/fail/hub/${HUB_TOKEN}?token=s3cr3t-query`]) {
    it(`a remote error echoing the URL and credentials is redacted and bounded (${path.split('/')[1]})`, async () => {
      const failure = await sendHttp({
        system: 'test system',
        operation: 'call',
        method: 'POST',
        url: `${base}${path}`,
        body: {},
        auth: { kind: 'bearer', token: new Secret('bearer-value-123') },
        timeoutMs: 5000,
      }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(ApplicationFailure);
      const f = failure as ApplicationFailure;
      expectClean(f.message);
      expectClean(JSON.stringify(f.details));
      expect(f.message.length).toBeLessThanOrEqual(1000);
      expect(f.message).toMatch(/test system: call/);
    });
  }

  it('a connection failure to a URL with a token names no token', async () => {
    const failure = (await sendHttp({
      system: 's',
      operation: 'o',
      method: 'GET',
      url: `http://127.0.0.1:1/hub/${HUB_TOKEN}?access_token=s3cr3t-query`,
      timeoutMs: 2000,
    }).catch((err: unknown) => err)) as ApplicationFailure;
    expect(failure.type).toBe('OutsideSystemUnavailable');
    expectClean(`${failure.message} ${JSON.stringify(failure.details)}`);
  });

  it('an activity failure (any error) is redacted before it reaches Temporal, its retry semantics kept', () => {
    const af = redactedFailure(
      ApplicationFailure.create({
        message: `refused at https://x.example/hooks/${HUB_TOKEN}?token=s3cr3t-query`,
        type: 'OutsideSystemRejected',
        nonRetryable: true,
        details: [{ url: `https://u:pa55word@x.example/a?token=s3cr3t-query` }],
      }),
    ) as ApplicationFailure;
    expectClean(`${af.message} ${JSON.stringify(af.details)}`);
    expect(af.nonRetryable).toBe(true);
    expect(af.type).toBe('OutsideSystemRejected');
    const plain = redactedFailure(new TypeError('fetch https://x.example/?api_key=sk_live_51Habc failed')) as ApplicationFailure;
    expectClean(plain.message);
    expect(plain.nonRetryable).toBe(false);
  });
});

describe('callback listener logging', () => {
  it('a refused or unknown hub path is logged and answered with its token masked', async () => {
    const lines: string[] = [];
    const listener = await startCallbackListener({
      port: 0,
      log: (entry) => lines.push(JSON.stringify(entry)),
      auth: { secrets: { troubleTicket: 'k', partner: 'k' }, hubTokens: new Map() },
      signal: async () => undefined,
    });
    try {
      const answers: string[] = [];
      for (const path of [`/listener/hub/${HUB_TOKEN}/troubleTicketStatusChangeEvent`, `/listener/hub/${HUB_TOKEN}/nope/x`]) {
        const res = await fetch(`${listener.url}${path}?token=s3cr3t-query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        answers.push(`${res.status} ${await res.text()}`);
      }
      expect(answers[0]).toMatch(/^401/);
      expect(answers[1]).toMatch(/^404/);
      expect(lines.length).toBeGreaterThan(0);
      expectClean(lines.join('\n'));
      expectClean(answers.join('\n'));
    } finally {
      await listener.close();
    }
  });
});
