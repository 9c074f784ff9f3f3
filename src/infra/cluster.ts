/**
 * The production topology on one machine: PostgreSQL (persistence and SQL visibility), Temporal
 * Server built from `go.temporal.io/server` with 16 history shards, and Temporal's JWT authorization.
 * Used by `npm run cluster` (src/cluster.ts), `npm run provision` and the topology tests.
 *
 * Its parts: cluster-postgres.ts (PostgreSQL and the schema), cluster-server.ts (the server's
 * binaries, configuration, start and namespace), cluster-auth.ts (key set and tokens),
 * cluster-ports.ts, cluster-processes.ts (the child processes).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureClusterAuth, type ClusterAuth } from './cluster-auth';
import { DEFAULT_CLUSTER_PORTS, type ClusterPorts } from './cluster-ports';
import { findPostgres, initPostgresData, postgresInstance, psqlOf, setUpSchema, spawnPostgres, waitForPostgres } from './cluster-postgres';
import { ChildGroup, ClusterProvisioningError, type Child, type Log } from './cluster-processes';
import {
  TEMPORAL_SERVER_VERSION,
  registerNamespace,
  serverBinaries,
  serverEnvironment,
  spawnTemporalServer,
  waitForFrontend,
} from './cluster-server';
import { PROJECT_ROOT } from './temporal-binaries';

export { DEFAULT_CLUSTER_PORTS, freeClusterPorts, type ClusterPorts } from './cluster-ports';
export { findPostgres, provisionPostgres } from './cluster-postgres';
export { ClusterProvisioningError } from './cluster-processes';
export {
  GO_TOOLCHAIN,
  HISTORY_SHARDS,
  TEMPORAL_SERVER_VERSION,
  provisionServerBinaries,
  readEnvFile,
  registerNamespace,
  serverBinaries,
  type ServerBinaries,
} from './cluster-server';

export interface ClusterOptions {
  /** The cluster's folder: PostgreSQL data, key set and tokens, logs. Default `<SPDR_DATA_DIR or .data>/cluster`. */
  dir?: string;
  ports?: Partial<ClusterPorts>;
  namespace?: string;
  log?: Log;
  /** Dynamic configuration file; default deploy/dynamicconfig/production.yaml (the docker-compose one). */
  dynamicConfigFile?: string;
}

export interface Cluster {
  address: string;
  namespace: string;
  dir: string;
  ports: ClusterPorts;
  auth: ClusterAuth;
  postgresPid(): number | undefined;
  serverPid(): number | undefined;
  /** Stops and starts Temporal Server only (PostgreSQL and its data stay). */
  restartServer(): Promise<void>;
  /** Bytes PostgreSQL uses for the two Temporal databases. */
  databaseBytes(): Promise<{ temporal: number; visibility: number }>;
  /** Resolves when a child exits unexpectedly, with its name and exit code. */
  crashed: Promise<string>;
  stop(): Promise<void>;
}

export function defaultClusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(resolve(env.SPDR_DATA_DIR ?? join(PROJECT_ROOT, '.data')), 'cluster');
}

/** The server binaries and PostgreSQL's, or what to run to get them. */
function requireBinaries(): { bins: ReturnType<typeof serverBinaries>; pgBin: string } {
  const bins = serverBinaries();
  if (!existsSync(bins.server) || !existsSync(bins.sqlTool)) {
    throw new ClusterProvisioningError(`Temporal Server ${TEMPORAL_SERVER_VERSION} is not built (${bins.server}): run npm run provision`);
  }
  const pgBin = findPostgres();
  if (!pgBin)
    throw new ClusterProvisioningError(
      "PostgreSQL is not installed: run npm run provision (as root it installs Debian's postgresql), or apt-get install postgresql",
    );
  return { bins, pgBin };
}

/** Starts PostgreSQL, sets up or upgrades the schema, starts Temporal Server, registers the namespace and the `Spdr*` search attributes. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? console.log;
  const dir = resolve(opts.dir ?? defaultClusterDir());
  const ports: ClusterPorts = { ...DEFAULT_CLUSTER_PORTS, ...opts.ports };
  const namespace = opts.namespace ?? 'default';
  const { bins, pgBin } = requireBinaries();
  const pg = postgresInstance(pgBin, dir, ports.postgres);
  const password = await initPostgresData(pg, log);
  const auth = ensureClusterAuth(join(dir, 'auth'), namespace);
  const children = new ChildGroup();
  let postgres: Child | undefined;
  let server: Child | undefined;
  try {
    postgres = spawnPostgres(pg, children);
    await waitForPostgres(pg, children);
    await setUpSchema(pg, password, bins.sqlTool);
    const psql = psqlOf(pg, password);
    const serverEnv = serverEnvironment(ports, password, auth, opts.dynamicConfigFile);
    const address = `127.0.0.1:${ports.frontend}`;
    const startServer = async () => {
      server = spawnTemporalServer(children, bins.server, serverEnv, dir);
      await waitForFrontend(children, address, auth.tokens.admin, dir);
    };
    await startServer();
    await registerNamespace(address, auth.tokens.admin, namespace);

    return {
      address,
      namespace,
      dir,
      ports,
      auth,
      crashed: children.crashed,
      postgresPid: () => postgres?.proc.pid,
      serverPid: () => server?.proc.pid,
      async restartServer() {
        await children.stopChild(server, 'SIGTERM', 20_000);
        await startServer();
      },
      async databaseBytes() {
        const size = async (db: string) => Number(await psql('postgres', `SELECT pg_database_size('${db}')`));
        return { temporal: await size('temporal'), visibility: await size('temporal_visibility') };
      },
      async stop() {
        children.beginStopping();
        await children.stopChild(server, 'SIGTERM', 20_000);
        // SIGINT is PostgreSQL's "fast" shutdown: clients are gone, write a checkpoint and stop.
        await children.stopChild(postgres, 'SIGINT', 20_000);
        children.release();
      },
    };
  } catch (err) {
    children.beginStopping();
    await children.stopChild(server, 'SIGTERM', 5_000);
    await children.stopChild(postgres, 'SIGINT', 10_000);
    children.release();
    throw err;
  }
}
