/**
 * Integration configuration: where the outside systems live and how to reach them.
 *
 * Everything comes from environment variables, validated at worker start. A bad setting stops the
 * worker with one line per bad field; secrets (the trouble-ticket token, partner auth headers) are
 * held in {@link Secret} so they never reach error messages, logs or workflow history.
 */
import { z } from 'zod';
import { BusinessCalendars, compileCalendar } from '../domain/calendar';
import { parseDuration } from '../domain/duration';
import { Secret, redactUrl } from './secret';

export { Secret, redactUrl } from './secret';

/** Thrown when the environment does not describe a usable integration configuration. */
export class ConfigError extends Error {
  /** One line per bad field, e.g. `SPDR_TROUBLE_URL: must be an http(s) URL (got "ftp://x")`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid integration configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? `is required (${what})` : `must be ${what}`);

/** An http(s) URL without trailing slash, so paths can be appended with `${base}/x`. */
const httpUrl = (what = 'an http(s) URL') =>
  z
    .string({ error: required(what) })
    .refine(isHttpUrl, 'must be an http(s) URL')
    // Credentials in a URL end up in logs, failure details and Temporal history: refused at start.
    .refine((url) => !hasCredentials(url), 'must not contain credentials (user:password@); use the token settings instead')
    .transform((url) => url.replace(/\/+$/, ''));

function hasCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

const callbackSecret = z
  .string()
  .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)')
  .regex(/^[\x21-\x7e]+$/, 'must be printable characters without spaces');

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`));

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const partnerEntrySchema = z
  .object({
    partyId: z
      .string({ error: required('a party id such as "acme-transport"') })
      .min(1, 'must not be empty')
      .regex(/^[A-Za-z0-9._-]+$/, 'may only contain letters, digits, ".", "_" and "-"'),
    baseUrl: httpUrl("the http(s) base URL of the party's performance management API"),
    authHeaderEnv: z
      .string({ error: required('the name of an environment variable') })
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
      .optional(),
    authHeaderName: z
      .string({ error: required('an HTTP header name') })
      .regex(HEADER_NAME, 'must be an HTTP header name')
      .default('Authorization'),
    answerDue: z
      .string({ error: required('a duration such as "4h"') })
      .refine((text) => parseDuration(text) !== undefined, 'must be a duration such as "4h", "30m" or "1h30m"'),
  })
  .strict();

const LEVEL_KEY = 'SPDR_ESCALATION_URL_LEVEL';

/** `SPDR_CALENDARS`: a JSON object of calendar name -> business calendar (see domain/calendar.ts). */
const calendarsSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of calendar name -> calendar (not valid JSON)' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown(), { error: 'must be a JSON object of calendar name -> calendar' }).pipe(BusinessCalendars))
  .default({});

/** `SPDR_PARTNERS`: a JSON array of partner entries. */
const partnersSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of partner entries (not valid JSON)' });
      return z.NEVER;
    }
  })
  .pipe(z.array(partnerEntrySchema, { error: 'must be a JSON array of partner entries' }))
  .default([]);

/** Rules across entries and the environment: each party once, and a named auth header variable must be set. */
function checkPartners(partners: z.output<typeof partnersSchema>, env: NodeJS.ProcessEnv, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  partners.forEach((partner, index) => {
    if (seen.has(partner.partyId)) {
      ctx.addIssue({ code: 'custom', path: ['SPDR_PARTNERS', index, 'partyId'], message: 'is listed twice' });
    }
    seen.add(partner.partyId);
    if (partner.authHeaderEnv !== undefined && !env[partner.authHeaderEnv]?.trim()) {
      ctx.addIssue({
        code: 'custom',
        path: ['SPDR_PARTNERS', index, 'authHeaderEnv'],
        message: `names environment variable ${partner.authHeaderEnv}, which is not set`,
      });
    }
  });
}

function buildEnvSchema(env: NodeJS.ProcessEnv) {
  return z
    .object({
      SPDR_TROUBLE_URL: httpUrl('the http(s) base URL of the TMF621 Trouble Ticket API'),
      SPDR_TROUBLE_TOKEN: z
        .string()
        .regex(/^[\x21-\x7e]+$/, 'must be a single token of printable characters without spaces')
        .optional(),
      SPDR_PARTNERS: partnersSchema,
      SPDR_CALENDARS: calendarsSchema,
      SPDR_ESCALATION_URL: httpUrl('the http(s) URL of the escalation webhook'),
      [LEVEL_KEY]: z.record(
        // Level 0 is the assignee notice (inJeopardy); 1.. are escalations.
        z.string().regex(/^(0|[1-9]\d*)$/, `the level must be a whole number, as in ${LEVEL_KEY}_2`),
        httpUrl(),
      ),
      SPDR_CLOSE_URL: httpUrl('the http(s) URL of the Close SPDR process webhook'),
      SPDR_WEB_URL: httpUrl().default('http://localhost:8233'),
      SPDR_NAMESPACE: z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/, 'must be a Temporal namespace name')
        .default('default'),
      SPDR_HTTP_TIMEOUT_MS: wholeNumber(1, 600_000).default(10_000),
      SPDR_CALLBACK_PORT: wholeNumber(0, 65_535).default(8090),
      SPDR_CALLBACK_HOST: z.string().min(1).default('127.0.0.1'),
      SPDR_CALLBACK_PUBLIC_URL: httpUrl().optional(),
      SPDR_TROUBLE_CALLBACK_SECRET: callbackSecret.optional(),
      SPDR_PARTNER_CALLBACK_SECRET: callbackSecret.optional(),
      SPDR_CALLBACK_UNAUTHENTICATED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
    })
    .superRefine((raw, ctx) => checkPartners(raw.SPDR_PARTNERS, env, ctx))
    .transform((raw) => ({
      troubleTicket: {
        baseUrl: raw.SPDR_TROUBLE_URL,
        token: raw.SPDR_TROUBLE_TOKEN === undefined ? undefined : new Secret(raw.SPDR_TROUBLE_TOKEN),
      },
      partners: raw.SPDR_PARTNERS.map((partner) => ({
        partyId: partner.partyId,
        baseUrl: partner.baseUrl,
        authHeaderName: partner.authHeaderName,
        authHeaderEnv: partner.authHeaderEnv,
        authHeader: partner.authHeaderEnv === undefined ? undefined : new Secret(env[partner.authHeaderEnv]!.trim()),
        answerDue: partner.answerDue,
        answerDueMs: parseDuration(partner.answerDue)!,
      })),
      /** Business calendars by name, validated and ready for the open-time maths. */
      calendars: Object.fromEntries(Object.entries(raw.SPDR_CALENDARS).map(([name, spec]) => [name, compileCalendar(spec)])),
      escalation: {
        url: raw.SPDR_ESCALATION_URL,
        urlByLevel: Object.fromEntries(Object.entries(raw[LEVEL_KEY]).map(([level, url]) => [Number(level), url])) as Record<
          number,
          string
        >,
      },
      close: { url: raw.SPDR_CLOSE_URL },
      temporalWeb: { url: raw.SPDR_WEB_URL, namespace: raw.SPDR_NAMESPACE },
      http: { timeoutMs: raw.SPDR_HTTP_TIMEOUT_MS },
      callbacks: {
        host: raw.SPDR_CALLBACK_HOST,
        port: raw.SPDR_CALLBACK_PORT,
        publicUrl: raw.SPDR_CALLBACK_PUBLIC_URL,
        /** HMAC-SHA256 secrets the callbacks of each source are signed with (see integrations/callback-auth.ts). */
        secrets: {
          troubleTicket: raw.SPDR_TROUBLE_CALLBACK_SECRET === undefined ? undefined : new Secret(raw.SPDR_TROUBLE_CALLBACK_SECRET),
          partner: raw.SPDR_PARTNER_CALLBACK_SECRET === undefined ? undefined : new Secret(raw.SPDR_PARTNER_CALLBACK_SECRET),
        },
        unauthenticated: raw.SPDR_CALLBACK_UNAUTHENTICATED === 'true',
      },
    }));
}

/** The validated integration configuration handed to the outside-system clients. */
export type IntegrationConfig = z.output<ReturnType<typeof buildEnvSchema>>;
export type PartnerConfig = IntegrationConfig['partners'][number];

const SECRET_FIELDS = new Set(['SPDR_TROUBLE_TOKEN', 'SPDR_TROUBLE_CALLBACK_SECRET', 'SPDR_PARTNER_CALLBACK_SECRET']);

/** Picks the SPDR_* settings out of the environment; blank values count as unset. */
function pickSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const value = (name: string) => {
    const text = env[name];
    return text === undefined || text.trim() === '' ? undefined : text.trim();
  };
  const levels: Record<string, string | undefined> = {};
  for (const name of Object.keys(env)) {
    if (name.startsWith(`${LEVEL_KEY}_`) && value(name) !== undefined) {
      levels[name.slice(LEVEL_KEY.length + 1)] = value(name);
    }
  }
  const names = [
    'SPDR_TROUBLE_URL',
    'SPDR_TROUBLE_TOKEN',
    'SPDR_PARTNERS',
    'SPDR_CALENDARS',
    'SPDR_ESCALATION_URL',
    'SPDR_CLOSE_URL',
    'SPDR_WEB_URL',
    'SPDR_NAMESPACE',
    'SPDR_HTTP_TIMEOUT_MS',
    'SPDR_CALLBACK_PORT',
    'SPDR_CALLBACK_HOST',
    'SPDR_CALLBACK_PUBLIC_URL',
    'SPDR_TROUBLE_CALLBACK_SECRET',
    'SPDR_PARTNER_CALLBACK_SECRET',
    'SPDR_CALLBACK_UNAUTHENTICATED',
  ];
  return { ...Object.fromEntries(names.map((name) => [name, value(name)])), [LEVEL_KEY]: levels };
}

function fieldName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (head === LEVEL_KEY && rest.length > 0) return `${LEVEL_KEY}_${rest.join('.')}`;
  return rest.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : `${name}.${part}`), head ?? '(root)');
}

function valueAt(raw: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  const [head, ...rest] = path.map(String);
  if (head === undefined) return undefined;
  if (head === LEVEL_KEY) return rest.length > 0 ? (raw[LEVEL_KEY] as Record<string, unknown>)[rest[0]] : undefined;
  let current: unknown = raw[head];
  if ((head === 'SPDR_PARTNERS' || head === 'SPDR_CALENDARS') && rest.length > 0 && typeof current === 'string') {
    try {
      current = JSON.parse(current);
    } catch {
      return undefined;
    }
  }
  for (const part of rest) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const clipped = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return ` (got ${JSON.stringify(clipped)})`;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string {
  const name = fieldName(issue.path);
  if (issue.code === 'unrecognized_keys') {
    // The value of an unexpected key is never echoed: it is typically a secret pasted inline.
    return issue.keys
      .map(
        (key) =>
          `${name}: unknown field "${key}"` +
          (/auth|token|secret|password/i.test(key) ? ' (secrets go in an environment variable named by authHeaderEnv)' : ''),
      )
      .join('\n');
  }
  const message = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
  const secret = SECRET_FIELDS.has(String(issue.path[0]));
  const value = valueAt(raw, issue.path);
  // A URL refused for its credentials is not echoed either.
  const got = secret || value === undefined || issue.code === 'invalid_key' || /credentials/.test(message) ? '' : shown(value);
  return `${name}: ${message}${got}`;
}

/**
 * Reads and validates the integration settings from the environment.
 * @throws ConfigError listing one clear line per bad field; secret values are never included.
 */
export function loadIntegrationConfig(env: NodeJS.ProcessEnv): IntegrationConfig {
  const raw = pickSettings(env);
  const result = buildEnvSchema(env).safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, raw).split('\n'));
  throw new ConfigError([...new Set(problems)]);
}

/** The escalation webhook for a level: its override, or the default. */
export function escalationUrlForLevel(config: Pick<IntegrationConfig, 'escalation'>, level: number): string {
  return config.escalation.urlByLevel[level] ?? config.escalation.url;
}

/** A log-safe summary of the configuration: URLs redacted, secrets reported only as set or not. */
export function redactedConfig(config: IntegrationConfig): Record<string, unknown> {
  return {
    troubleTicket: {
      baseUrl: redactUrl(config.troubleTicket.baseUrl),
      token: config.troubleTicket.token ? 'set' : 'not set',
    },
    partners: config.partners.map((partner) => ({
      partyId: partner.partyId,
      baseUrl: redactUrl(partner.baseUrl),
      auth: partner.authHeaderEnv ? `${partner.authHeaderName} from $${partner.authHeaderEnv}` : 'none',
      answerDue: partner.answerDue,
    })),
    calendars: Object.fromEntries(Object.entries(config.calendars).map(([name, calendar]) => [name, calendar.timezone])),
    escalation: {
      url: redactUrl(config.escalation.url),
      urlByLevel: Object.fromEntries(Object.entries(config.escalation.urlByLevel).map(([level, url]) => [level, redactUrl(url)])),
    },
    close: { url: redactUrl(config.close.url) },
    temporalWeb: { url: redactUrl(config.temporalWeb.url), namespace: config.temporalWeb.namespace },
    http: { ...config.http },
    callbacks: {
      ...config.callbacks,
      publicUrl: config.callbacks.publicUrl === undefined ? undefined : redactUrl(config.callbacks.publicUrl),
    },
  };
}

/** Ports (and host) of locally running simulators; see `src/simulators/main.ts`. */
export interface SimulatorPorts {
  trouble?: number;
  partner?: number;
  webhook?: number;
  callback?: number;
  host?: string;
  /** Parties hosted by the partner simulator; each gets `{partnerUrl}/{partyId}` as base URL. */
  parties?: readonly string[];
  /** The secrets the simulators sign their callbacks with. */
  callbackSecrets?: { troubleTicket?: string; partner?: string };
}

/** Parties the partner simulator hosts in demos and tests. */
export const SIMULATED_PARTIES = ['acme-transport', 'globex-fiber'] as const;

/** The environment that points the integrations at local simulators. */
export function simulatorEnv(ports: SimulatorPorts = {}): NodeJS.ProcessEnv {
  const host = ports.host ?? '127.0.0.1';
  const base = (port: number) => `http://${host}:${port}`;
  const partner = base(ports.partner ?? 8082);
  const webhook = base(ports.webhook ?? 8083);
  return {
    SPDR_TROUBLE_URL: base(ports.trouble ?? 8081),
    SPDR_PARTNERS: JSON.stringify(
      (ports.parties ?? SIMULATED_PARTIES).map((partyId) => ({
        partyId,
        baseUrl: `${partner}/${partyId}`,
        answerDue: '4h',
      })),
    ),
    SPDR_ESCALATION_URL: `${webhook}/escalation`,
    SPDR_CLOSE_URL: `${webhook}/close`,
    SPDR_CALLBACK_PORT: String(ports.callback ?? 8090),
    SPDR_CALLBACK_HOST: host,
    ...(ports.callbackSecrets?.troubleTicket ? { SPDR_TROUBLE_CALLBACK_SECRET: ports.callbackSecrets.troubleTicket } : {}),
    ...(ports.callbackSecrets?.partner ? { SPDR_PARTNER_CALLBACK_SECRET: ports.callbackSecrets.partner } : {}),
  };
}

/** A configuration that points every outside system at the local simulators. */
export function defaultSimulatorConfig(ports: SimulatorPorts = {}): IntegrationConfig {
  return loadIntegrationConfig(simulatorEnv(ports));
}
