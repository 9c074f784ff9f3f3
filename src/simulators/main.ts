/**
 * Starts the three simulators (resource trouble management, partner performance management,
 * webhook sink) for local runs, demos, tests and benchmarks.
 *
 *   npx tsx src/simulators/main.ts
 *
 * State is in memory; with SIM_STATE_FILE it is also written to a JSON file and read back at
 * start, so a demo survives a restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { simulatorEnv, loadIntegrationConfig, SIMULATED_PARTIES, type IntegrationConfig } from '../config/config';
import type { FaultSettings } from './faults';
import { startPartnerSimulator, type PartnerSimulator, type PartnerSimulatorOptions } from './partnerSimulator';
import type { RecordBookState } from './recordBook';
import { startTroubleTicketSimulator, type TroubleTicketSimulator, type TroubleTicketSimulatorOptions } from './troubleTicketSimulator';
import { startWebhookSink, type WebhookSink, type WebhookSinkState } from './webhookSink';

export interface SimulatorsOptions {
  host?: string;
  /** 0 (the default here) picks free ports; main() uses 8081/8082/8083. */
  troublePort?: number;
  partnerPort?: number;
  webhookPort?: number;
  /** JSON file the state is persisted to and restored from. */
  stateFile?: string;
  /** Listener base notified of every status change, e.g. `http://127.0.0.1:8090/listener`. */
  callbackUrl?: string;
  /**
   * Secrets the simulators sign their callbacks with; by default fresh random ones, which
   * `env()` and `config()` hand to the worker, so `npm start` works authenticated out of the box.
   */
  callbackSecrets?: { troubleTicket?: string; partner?: string };
  /** Tickets and partner requests progress on their own: inProgress after half, resolved after all of it. */
  autoResolveAfterMs?: number;
  /** Seed of the fault dice (each simulator gets its own sequence derived from it). */
  seed?: number;
  /** Faults applied to all three simulators from the start. */
  faults?: Partial<FaultSettings>;
  /** Parties the partner simulator hosts (default: any). */
  parties?: readonly string[];
  /**
   * Lax mode for all three: the trouble and partner systems accept a second create per external
   * id and the webhook sink keeps repeated deliveries per idempotency key, every one counted
   * (`/admin/stats`, `/admin/received`). Tests use it so "exactly once" is the product's doing.
   */
  lax?: boolean;
  trouble?: Partial<TroubleTicketSimulatorOptions>;
  partner?: Partial<PartnerSimulatorOptions>;
}

export interface Simulators {
  troubleUrl: string;
  /** Base of the partner simulator; a party's base URL is `${partnerUrl}/${partyId}`. */
  partnerUrl: string;
  webhookUrl: string;
  trouble: TroubleTicketSimulator;
  partner: PartnerSimulator;
  webhook: WebhookSink;
  /** Environment (SPDR_*) pointing the integrations at these simulators. */
  env(callbackPort?: number): NodeJS.ProcessEnv;
  /** Integration configuration pointing at these simulators. */
  config(callbackPort?: number): IntegrationConfig;
  close(): Promise<void>;
}

interface PersistedState {
  version: 1;
  trouble: RecordBookState;
  partner: RecordBookState;
  webhook: WebhookSinkState;
}

interface StatePersistence {
  /** Something changed: saved within 100 ms. */
  changed(): void;
  /** Saves now (at close). */
  flush(): void;
}

/** Restores the simulators' state from `stateFile` and saves it there after changes (none without a file). */
function statePersistence(
  stateFile: string | undefined,
  parts: { trouble: TroubleTicketSimulator; partner: PartnerSimulator; webhook: WebhookSink },
): StatePersistence {
  const { trouble, partner, webhook } = parts;
  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    if (!stateFile) return;
    const state: PersistedState = {
      version: 1,
      trouble: trouble.book.snapshot(),
      partner: partner.book.snapshot(),
      webhook: webhook.snapshot(),
    };
    // Write then rename, so a crash never leaves half a file behind.
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  if (stateFile && existsSync(stateFile)) {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as PersistedState;
    trouble.book.restore(state.trouble);
    partner.book.restore(state.partner);
    webhook.restore(state.webhook);
  }
  return {
    changed() {
      if (!stateFile || saveTimer) return;
      saveTimer = setTimeout(() => {
        saveTimer = undefined;
        save();
      }, 100);
    },
    flush() {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      save();
    },
  };
}

export async function startSimulators(options: SimulatorsOptions = {}): Promise<Simulators> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 1;
  const callbackUrls = options.callbackUrl ? [options.callbackUrl] : [];
  const callbackSecrets = {
    troubleTicket: options.callbackSecrets?.troubleTicket ?? randomBytes(32).toString('base64url'),
    partner: options.callbackSecrets?.partner ?? randomBytes(32).toString('base64url'),
  };
  // Set once the simulators run; changes before that (none but the restore) need no save.
  const saved: { persistence?: StatePersistence } = {};
  const onChange = () => saved.persistence?.changed();

  const trouble = await startTroubleTicketSimulator({
    host,
    port: options.troublePort ?? 0,
    seed,
    faults: options.faults,
    autoResolveAfterMs: options.autoResolveAfterMs,
    callbackUrls,
    callbackSecret: callbackSecrets.troubleTicket,
    lax: options.lax,
    onChange,
    ...options.trouble,
  });
  const partner = await startPartnerSimulator({
    host,
    port: options.partnerPort ?? 0,
    seed: seed + 1,
    faults: options.faults,
    autoResolveAfterMs: options.autoResolveAfterMs,
    callbackUrls,
    callbackSecret: callbackSecrets.partner,
    parties: options.parties,
    lax: options.lax,
    onChange,
    ...options.partner,
  });
  const webhook = await startWebhookSink({
    host,
    port: options.webhookPort ?? 0,
    seed: seed + 2,
    faults: options.faults,
    lax: options.lax,
    onChange,
  });

  const persistence = statePersistence(options.stateFile, { trouble, partner, webhook });
  saved.persistence = persistence;

  const ports = (callbackPort?: number) => ({
    host,
    trouble: trouble.port,
    partner: partner.port,
    webhook: webhook.port,
    callback: callbackPort,
    parties: options.parties ?? SIMULATED_PARTIES,
    callbackSecrets,
  });
  return {
    troubleUrl: trouble.url,
    partnerUrl: partner.url,
    webhookUrl: webhook.url,
    trouble,
    partner,
    webhook,
    env: (callbackPort) => simulatorEnv(ports(callbackPort)),
    config: (callbackPort) => loadIntegrationConfig(simulatorEnv(ports(callbackPort))),
    close: async () => {
      persistence.flush();
      await Promise.all([trouble.close(), partner.close(), webhook.close()]);
    },
  };
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const rate = z.coerce.number().min(0).max(1).optional();

/** Environment of `main()`; every variable is optional. */
export const simulatorSettingsSchema = z.object({
  SIM_TROUBLE_PORT: port(8081),
  SIM_PARTNER_PORT: port(8082),
  SIM_WEBHOOK_PORT: port(8083),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_STATE_FILE: z.string().min(1).optional(),
  SIM_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The secrets to sign callbacks with: the worker's SPDR_TROUBLE_CALLBACK_SECRET and SPDR_PARTNER_CALLBACK_SECRET. */
  SIM_TROUBLE_CALLBACK_SECRET: z.string().min(32).optional(),
  SIM_PARTNER_CALLBACK_SECRET: z.string().min(32).optional(),
  SIM_AUTO_RESOLVE_MS: z.coerce.number().int().min(1).optional(),
  SIM_SEED: z.coerce.number().int().default(1),
  SIM_LATENCY_MS: z.coerce.number().int().min(0).optional(),
  SIM_ERROR_RATE: rate,
  SIM_TIMEOUT_RATE: rate,
  SIM_422_RATE: rate,
  SIM_DOWN: z.enum(['true', 'false']).optional(),
  /** `true`: lax mode (duplicates accepted and counted), see SimulatorsOptions.lax. */
  SIM_LAX: z.enum(['true', 'false']).optional(),
});

async function main(): Promise<void> {
  const blank = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);
  const env = Object.fromEntries(Object.keys(simulatorSettingsSchema.shape).map((name) => [name, blank(process.env[name])]));
  const parsed = simulatorSettingsSchema.safeParse(env);
  if (!parsed.success) {
    console.error(`Invalid simulator settings:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
    process.exit(2);
  }
  const s = parsed.data;
  const faults: Partial<FaultSettings> = {};
  if (s.SIM_LATENCY_MS !== undefined) faults.latencyMs = s.SIM_LATENCY_MS;
  if (s.SIM_ERROR_RATE !== undefined) faults.errorRate = s.SIM_ERROR_RATE;
  if (s.SIM_TIMEOUT_RATE !== undefined) faults.timeoutRate = s.SIM_TIMEOUT_RATE;
  if (s.SIM_422_RATE !== undefined) faults.status422Rate = s.SIM_422_RATE;
  if (s.SIM_DOWN !== undefined) faults.down = s.SIM_DOWN === 'true';

  const simulators = await startSimulators({
    host: s.SIM_HOST,
    troublePort: s.SIM_TROUBLE_PORT,
    partnerPort: s.SIM_PARTNER_PORT,
    webhookPort: s.SIM_WEBHOOK_PORT,
    stateFile: s.SIM_STATE_FILE,
    callbackUrl: s.SIM_CALLBACK_URL,
    callbackSecrets: { troubleTicket: s.SIM_TROUBLE_CALLBACK_SECRET, partner: s.SIM_PARTNER_CALLBACK_SECRET },
    autoResolveAfterMs: s.SIM_AUTO_RESOLVE_MS,
    seed: s.SIM_SEED,
    faults,
    lax: s.SIM_LAX === 'true',
  });
  console.log(`resource trouble management (TMF621): ${simulators.troubleUrl}`);
  console.log(
    `partner performance management:       ${simulators.partnerUrl}/{partyId}  (e.g. ${SIMULATED_PARTIES.map((p) => `${simulators.partnerUrl}/${p}`).join(', ')})`,
  );
  console.log(`webhook sink (escalation, close):     ${simulators.webhookUrl}  (GET /admin/received)`);
  if (s.SIM_STATE_FILE) console.log(`state file:                           ${s.SIM_STATE_FILE}`);
  const stop = () => {
    void simulators.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
