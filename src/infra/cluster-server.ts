/**
 * Temporal Server of the production topology: built from `go.temporal.io/server` (with its SQL
 * tool), configured by the variables of `deploy/temporal-server.env` (the very settings
 * docker-compose.yml gives the `temporalio/server` image), started, and its namespace and `Spdr*`
 * search attributes registered.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../search-attributes';
import type { ClusterAuth } from './cluster-auth';
import type { ClusterPorts } from './cluster-ports';
import { DB_USER } from './cluster-postgres';
import { ClusterProvisioningError, waitFor, type Child, type ChildGroup, type Log } from './cluster-processes';
import { binDir, PROJECT_ROOT } from './temporal-binaries';

const run = promisify(execFile);

export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** The server's go.mod asks for a newer Go than Debian's; the go command fetches this toolchain itself. */
export const GO_TOOLCHAIN = 'go1.27.3';
export const HISTORY_SHARDS = 16;

export interface ServerBinaries {
  server: string;
  sqlTool: string;
}

/** Where the provisioned server binaries live (git-ignored, next to the Temporal CLI). */
export function serverBinaries(dir = binDir()): ServerBinaries {
  return {
    server: join(dir, `temporal-server-${TEMPORAL_SERVER_VERSION}`),
    sqlTool: join(dir, `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`),
  };
}

/** Builds Temporal Server and its SQL tool with `go install` unless they are cached; about 9 minutes on 2 cores the first time. */
export async function provisionServerBinaries(log: Log = console.log, dir = binDir()): Promise<ServerBinaries> {
  const bins = serverBinaries(dir);
  const wanted: [string, string, string][] = [
    [bins.server, 'cmd/server', 'server'],
    [bins.sqlTool, 'cmd/tools/sql', 'sql'],
  ];
  if (wanted.every(([path]) => existsSync(path))) return bins;
  const go = process.env.GO ?? 'go';
  try {
    await run(go, ['version']);
  } catch {
    throw new ClusterProvisioningError(
      `Temporal Server ${TEMPORAL_SERVER_VERSION} is not built yet and no Go toolchain was found ("${go}"): install Go 1.21 or newer (Debian: apt-get install golang-go; it fetches ${GO_TOOLCHAIN} itself) and run npm run provision, or copy temporal-server and temporal-sql-tool builds to ${bins.server} and ${bins.sqlTool}`,
    );
  }
  const gobin = join(dir, `.gobuild-${process.pid}`);
  mkdirSync(gobin, { recursive: true });
  try {
    for (const [path, pkg, name] of wanted) {
      if (existsSync(path)) continue;
      log(`building ${pkg}@v${TEMPORAL_SERVER_VERSION} with go install (cached in ${dir}; the first build takes minutes)`);
      await run(go, ['install', `go.temporal.io/server/${pkg}@v${TEMPORAL_SERVER_VERSION}`], {
        env: {
          ...process.env,
          GOBIN: gobin,
          GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? GO_TOOLCHAIN,
          CGO_ENABLED: process.env.CGO_ENABLED ?? '0',
        },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((err: { stderr?: string }) => {
        throw new ClusterProvisioningError(
          `go install go.temporal.io/server/${pkg}@v${TEMPORAL_SERVER_VERSION} failed: ${String(err.stderr ?? err).slice(-2000)}`,
        );
      });
      renameSync(join(gobin, name), path);
    }
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
  return bins;
}

/** The server's environment: deploy/temporal-server.env, then this cluster's ports, database password and key set. */
export function serverEnvironment(ports: ClusterPorts, password: string, auth: ClusterAuth, dynamicConfigFile?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...readEnvFile(join(PROJECT_ROOT, 'deploy/temporal-server.env')),
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(ports.postgres),
    POSTGRES_USER: DB_USER,
    POSTGRES_PWD: password,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    FRONTEND_GRPC_PORT: String(ports.frontend),
    FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    INTERNAL_FRONTEND_GRPC_PORT: String(ports.internalFrontend),
    INTERNAL_FRONTEND_HTTP_PORT: String(ports.internalFrontendHttp),
    INTERNAL_FRONTEND_MEMBERSHIP_PORT: String(ports.internalFrontendMembership),
    HISTORY_GRPC_PORT: String(ports.history),
    HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    MATCHING_GRPC_PORT: String(ports.matching),
    MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    WORKER_GRPC_PORT: String(ports.worker),
    WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    TEMPORAL_JWT_KEY_SOURCE1: auth.jwksUri,
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfigFile ?? join(PROJECT_ROOT, 'deploy/dynamicconfig/production.yaml'),
    ...(process.env.SPDR_CLUSTER_LOG_LEVEL ? { LOG_LEVEL: process.env.SPDR_CLUSTER_LOG_LEVEL } : {}),
  };
}

/** Starts Temporal Server in the group (then `waitForFrontend`); its log is temporal-server.log in `dir`. */
export function spawnTemporalServer(children: ChildGroup, serverBin: string, env: NodeJS.ProcessEnv, dir: string): Child {
  return children.spawn('Temporal Server', serverBin, ['start'], env, join(dir, 'temporal-server.log'));
}

/** Waits until the frontend on `address` answers (or a child has exited). */
export async function waitForFrontend(children: ChildGroup, address: string, adminToken: string, dir: string): Promise<void> {
  await waitFor(
    async () => {
      // Lazy, so the connection is closed even when the server does not answer yet (a failed connect leaves a channel behind).
      const c = Connection.lazy({ address, apiKey: adminToken, tls: false, connectTimeout: 2_000 });
      try {
        await c.withDeadline(Date.now() + 2_000, () => c.workflowService.getSystemInfo({}));
        return true;
      } finally {
        await c.close();
      }
    },
    `Temporal Server frontend on ${address} (log: ${join(dir, 'temporal-server.log')})`,
    120_000,
    children.crashed,
  );
}

/** The server's enum for each search attribute type named in src/search-attributes.ts. */
export const INDEXED_VALUE_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

/** Idempotent: creates the namespace (30 days' retention of ended reports) and the search attributes it lacks. */
export async function registerNamespace(address: string, adminToken: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address, apiKey: adminToken, tls: false });
  try {
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('30 days') });
    } catch (err) {
      if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw err;
    }
    // A new namespace reaches every service's cache within seconds.
    const wanted = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]!]));
    await waitFor(
      async () => {
        const existing = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = Object.fromEntries(Object.entries(wanted).filter(([name]) => !(name in (existing.customAttributes ?? {}))));
        if (Object.keys(missing).length > 0) await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
        const after = await connection.operatorService.listSearchAttributes({ namespace });
        return Object.keys(wanted).every((name) => name in (after.customAttributes ?? {}));
      },
      `namespace ${namespace} and its search attributes`,
      60_000,
    );
  } finally {
    await connection.close();
  }
}

/** KEY=VALUE lines; `#` comments and blank lines ignored. */
export function readEnvFile(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
