/**
 * Where the Temporal cluster is. Uses `@temporalio/envconfig`, so the worker, the starter CLI and
 * the typed client all honour the same TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, TEMPORAL_PROFILE and TOML profile file.
 */
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
  return {
    configured: Boolean(config.connectionOptions.address),
    config,
    namespace: config.namespace ?? 'default',
    dataConverter: dataConverterFromEnv(env),
  };
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
