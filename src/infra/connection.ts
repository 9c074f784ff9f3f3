/**
 * Where the Temporal cluster is. Uses `@temporalio/envconfig`, so the worker, the starter CLI and
 * the typed client all honour the same TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, TEMPORAL_PROFILE and TOML profile file.
 *
 * With a cluster configured and no API key set, the token `npm run cluster` issues
 * (`SPDR_TEMPORAL_API_KEY_FILE`, default `<SPDR_DATA_DIR or .data>/cluster/auth/writer.token`) is sent
 * when that file exists, so `TEMPORAL_ADDRESS=127.0.0.1:7233 npm start` needs no other setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { dataConverterFromEnv } from '../security/data-converter';

export interface TemporalTarget {
  /** True when the user configured a cluster (env var or profile); false means "run the embedded dev server". */
  configured: boolean;
  config: ClientConnectConfig;
  namespace: string;
  /** Payload encryption from SPDR_CODEC_KEYS / SPDR_CODEC_CURRENT_KEY; undefined = off. Worker and clients share it. */
  dataConverter?: DataConverter;
}

export function loadTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const config = loadClientConnectConfig({
    profile: env.TEMPORAL_PROFILE,
    overrideEnvVars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')),
  });
  const configured = Boolean(config.connectionOptions.address);
  if (configured && !config.connectionOptions.apiKey) {
    const tokenFile = apiKeyFile(env);
    if (tokenFile && existsSync(tokenFile)) {
      const token = readFileSync(tokenFile, 'utf8').trim();
      // The SDK turns TLS on with an API key unless told otherwise; the local cluster listens in clear on 127.0.0.1.
      if (token) Object.assign(config.connectionOptions, { apiKey: token, tls: config.connectionOptions.tls ?? false });
    }
  }
  return { configured, config, namespace: config.namespace ?? 'default', dataConverter: dataConverterFromEnv(env) };
}

/** The token file used when no API key is configured; an empty SPDR_TEMPORAL_API_KEY_FILE turns it off. */
export function apiKeyFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SPDR_TEMPORAL_API_KEY_FILE !== undefined) return env.SPDR_TEMPORAL_API_KEY_FILE || undefined;
  return join(resolve(env.SPDR_DATA_DIR ?? join(__dirname, '..', '..', '.data')), 'cluster', 'auth', 'writer.token');
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect(target.config.connectionOptions);
  return new Client({ connection, namespace: target.namespace, dataConverter: target.dataConverter });
}

export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(target.config.connectionOptions);
}

/** The address with any credentials left out, for log lines. */
export function describeTarget(target: TemporalTarget): string {
  const o = target.config.connectionOptions;
  const auth = o.apiKey ? ' (API key)' : o.tls ? ' (TLS)' : '';
  return `${o.address ?? 'localhost:7233'} namespace=${target.namespace}${auth}`;
}
