/**
 * The production topology on one machine: PostgreSQL (persistence and SQL visibility), Temporal
 * Server built from `go.temporal.io/server` with 16 history shards, and Temporal's JWT authorization.
 * Used by `npm run cluster` (src/cluster.ts), `npm run provision` and the topology tests.
 *
 * The server runs on its embedded configuration template, driven by the variables of
 * `deploy/temporal-server.env`: the very settings docker-compose.yml gives the `temporalio/server` image.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../search-attributes';
import { ensureClusterAuth, type ClusterAuth } from './cluster-auth';
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

type Log = (line: string) => void;

/** Where the provisioned server binaries live (git-ignored, next to the Temporal CLI). */
export function serverBinaries(dir = binDir()): ServerBinaries {
  return {
    server: join(dir, `temporal-server-${TEMPORAL_SERVER_VERSION}`),
    sqlTool: join(dir, `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`),
  };
}

export class ClusterProvisioningError extends Error {}

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

/** The PostgreSQL server binaries (Debian puts them in /usr/lib/postgresql/<major>/bin), newest first; SPDR_PG_BIN overrides. */
export function findPostgres(): string | undefined {
  const candidates = process.env.SPDR_PG_BIN
    ? [process.env.SPDR_PG_BIN]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  return candidates.find((dir) => ['postgres', 'initdb', 'pg_isready', 'psql'].every((b) => existsSync(join(dir, b))));
}

/** Finds PostgreSQL, installing Debian's package when it is missing and we are root. */
export async function provisionPostgres(log: Log = console.log): Promise<string> {
  const found = findPostgres();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new ClusterProvisioningError(
      'PostgreSQL is not installed: install it (Debian/Ubuntu: sudo apt-get install postgresql) and run npm run provision again, or set SPDR_PG_BIN to the folder holding postgres, initdb, pg_isready and psql',
    );
  }
  log('installing PostgreSQL (apt-get install postgresql)');
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const installed = findPostgres();
  if (!installed)
    throw new ClusterProvisioningError(
      'apt-get install postgresql finished but no PostgreSQL binaries were found under /usr/lib/postgresql',
    );
  return installed;
}

export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  internalFrontend: number;
  internalFrontendHttp: number;
  internalFrontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  postgres: number;
}

/** The ports of a default `npm run cluster`: the server's usual ones, PostgreSQL on 5433 (not the system's 5432). */
export const DEFAULT_CLUSTER_PORTS: ClusterPorts = {
  frontend: 7233,
  frontendHttp: 7243,
  frontendMembership: 6933,
  internalFrontend: 7236,
  internalFrontendHttp: 7246,
  internalFrontendMembership: 6936,
  history: 7234,
  historyMembership: 6934,
  matching: 7235,
  matchingMembership: 6935,
  worker: 7239,
  workerMembership: 6939,
  postgres: 5433,
};

/** True when nothing listens on 127.0.0.1:port right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const srv = createServer();
    srv.once('error', () => resolveFree(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolveFree(true)));
  });
}

/**
 * Free ports for every listener (tests run clusters beside anything else). They are drawn from
 * 20000-32767, not the kernel's ephemeral range: the server stores membership ports in a SQL
 * smallint, so a port above 32767 stops it at start.
 */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const ports = {} as Record<keyof ClusterPorts, number>;
  const seen = new Set<number>();
  for (const key of Object.keys(DEFAULT_CLUSTER_PORTS) as (keyof ClusterPorts)[]) {
    let port = 0;
    do port = 20_000 + Math.floor(Math.random() * 12_700);
    while (seen.has(port) || !(await portIsFree(port)));
    seen.add(port);
    ports[key] = port;
  }
  return ports;
}

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

const DB_USER = 'temporal';
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/** Starts PostgreSQL, sets up or upgrades the schema, starts Temporal Server, registers the namespace and the `Spdr*` search attributes. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const log = opts.log ?? console.log;
  const dir = resolve(opts.dir ?? defaultClusterDir());
  const ports: ClusterPorts = { ...DEFAULT_CLUSTER_PORTS, ...opts.ports };
  const namespace = opts.namespace ?? 'default';
  const bins = serverBinaries();
  if (!existsSync(bins.server) || !existsSync(bins.sqlTool)) {
    throw new ClusterProvisioningError(`Temporal Server ${TEMPORAL_SERVER_VERSION} is not built (${bins.server}): run npm run provision`);
  }
  const pgBin = findPostgres();
  if (!pgBin)
    throw new ClusterProvisioningError(
      "PostgreSQL is not installed: run npm run provision (as root it installs Debian's postgresql), or apt-get install postgresql",
    );

  mkdirSync(dir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: as root it runs as the `postgres` user, which must reach its data folder.
  if (isRoot) chmodSync(dir, statSync(dir).mode | 0o711);
  const pgUser = isRoot ? pgOsUser() : undefined;
  const asPgUser = (cmd: string, args: string[]): [string, string[]] =>
    pgUser ? ['setpriv', [`--reuid=${pgUser.uid}`, `--regid=${pgUser.gid}`, '--clear-groups', '--', cmd, ...args]] : [cmd, args];

  const passwordFile = join(dir, 'postgres-password');
  const pgData = join(dir, 'postgres');
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${pgData}`);
    rmSync(pgData, { recursive: true, force: true });
    mkdirSync(pgData, { mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const pwfile = join(dir, '.initdb-password');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (pgUser) {
      chownSync(pgData, pgUser.uid, pgUser.gid);
      chownSync(pwfile, pgUser.uid, pgUser.gid);
    }
    try {
      const [cmd, args] = asPgUser(join(pgBin, 'initdb'), [
        '-D',
        pgData,
        '-U',
        DB_USER,
        `--pwfile=${pwfile}`,
        '-A',
        'scram-sha-256',
        '-E',
        'UTF8',
        '--no-locale',
      ]);
      await run(cmd, args).catch((err: { stderr?: string }) => {
        throw new Error(`initdb failed: ${err.stderr ?? String(err)}`);
      });
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const auth = ensureClusterAuth(join(dir, 'auth'), namespace);
  const children: Child[] = [];
  let stopping = false;
  let reportCrash: (what: string) => void = () => {};
  const crashed = new Promise<string>((r) => (reportCrash = r));

  const spawnChild = (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Child => {
    const out = openSync(logFile, 'a');
    const proc = spawn(cmd, args, { env, stdio: ['ignore', out, out] });
    closeSync(out);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
    const child = { name, proc, exited };
    void exited.then((code) => {
      const i = children.indexOf(child);
      if (i >= 0) children.splice(i, 1);
      if (!stopping && i >= 0) reportCrash(`${name} exited (${code}); the end of ${logFile}:\n${tail(logFile, 1500)}`);
    });
    children.push(child);
    return child;
  };
  const killAll = () => {
    for (const c of children) c.proc.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const stopChild = async (child: Child | undefined, signal: NodeJS.Signals, graceMs: number) => {
    if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    const i = children.indexOf(child);
    if (i >= 0) children.splice(i, 1);
    child.proc.kill(signal);
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
  };

  let postgres: Child | undefined;
  let server: Child | undefined;
  try {
    // Sockets off: TCP on 127.0.0.1 only, so no folder outside the data dir is needed.
    const [pgCmd, pgArgs] = asPgUser(join(pgBin, 'postgres'), [
      '-D',
      pgData,
      '-p',
      String(ports.postgres),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ]);
    postgres = spawnChild('PostgreSQL', pgCmd, pgArgs, process.env, join(dir, 'postgres.log'));
    await waitFor(
      async () => {
        await run(join(pgBin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(ports.postgres)]);
        return true;
      },
      `PostgreSQL on 127.0.0.1:${ports.postgres} (log: ${join(dir, 'postgres.log')})`,
      30_000,
      crashed,
    );

    const psql = async (db: string, sql: string): Promise<string> =>
      (
        await run(join(pgBin, 'psql'), ['-h', '127.0.0.1', '-p', String(ports.postgres), '-U', DB_USER, '-d', db, '-tAc', sql], {
          env: { ...process.env, PGPASSWORD: password },
        })
      ).stdout.trim();
    const sqlEnv = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(ports.postgres),
      SQL_USER: DB_USER,
      SQL_PASSWORD: password,
    };
    const sqlTool = async (db: string, args: string[]) => {
      await run(bins.sqlTool, ['--db', db, ...args], { env: sqlEnv }).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`temporal-sql-tool --db ${db} ${args.join(' ')} failed: ${(err.stderr || err.stdout || String(err)).slice(-1500)}`);
      });
    };
    for (const db of DATABASES) {
      if ((await psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${db.name}'`)) !== '1')
        await sqlTool(db.name, ['create-database']);
      if ((await psql(db.name, "SELECT to_regclass('public.schema_version') IS NOT NULL")) !== 't')
        await sqlTool(db.name, ['setup-schema', '-v', '0.0']);
      await sqlTool(db.name, ['update-schema', '--schema-name', db.schema]);
    }

    const serverEnv: NodeJS.ProcessEnv = {
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
      DYNAMIC_CONFIG_FILE_PATH: opts.dynamicConfigFile ?? join(PROJECT_ROOT, 'deploy/dynamicconfig/production.yaml'),
      ...(process.env.SPDR_CLUSTER_LOG_LEVEL ? { LOG_LEVEL: process.env.SPDR_CLUSTER_LOG_LEVEL } : {}),
    };
    const address = `127.0.0.1:${ports.frontend}`;
    const startServer = async () => {
      server = spawnChild('Temporal Server', bins.server, ['start'], serverEnv, join(dir, 'temporal-server.log'));
      await waitFor(
        async () => {
          // Lazy, so the connection is closed even when the server does not answer yet (a failed connect leaves a channel behind).
          const c = Connection.lazy({ address, apiKey: auth.tokens.admin, tls: false, connectTimeout: 2_000 });
          try {
            await c.withDeadline(Date.now() + 2_000, () => c.workflowService.getSystemInfo({}));
            return true;
          } finally {
            await c.close();
          }
        },
        `Temporal Server frontend on ${address} (log: ${join(dir, 'temporal-server.log')})`,
        120_000,
        crashed,
      );
    };
    await startServer();
    await registerNamespace(address, auth.tokens.admin, namespace);

    return {
      address,
      namespace,
      dir,
      ports,
      auth,
      crashed,
      postgresPid: () => postgres?.proc.pid,
      serverPid: () => server?.proc.pid,
      async restartServer() {
        await stopChild(server, 'SIGTERM', 20_000);
        await startServer();
      },
      async databaseBytes() {
        const size = async (db: string) => Number(await psql('postgres', `SELECT pg_database_size('${db}')`));
        return { temporal: await size('temporal'), visibility: await size('temporal_visibility') };
      },
      async stop() {
        stopping = true;
        await stopChild(server, 'SIGTERM', 20_000);
        // SIGINT is PostgreSQL's "fast" shutdown: clients are gone, write a checkpoint and stop.
        await stopChild(postgres, 'SIGINT', 20_000);
        process.removeListener('exit', killAll);
      },
    };
  } catch (err) {
    stopping = true;
    await stopChild(server, 'SIGTERM', 5_000);
    await stopChild(postgres, 'SIGINT', 10_000);
    process.removeListener('exit', killAll);
    throw err;
  }
}

const INDEXED_VALUE_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
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

function pgOsUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line)
    throw new ClusterProvisioningError(
      'running as root, PostgreSQL needs the "postgres" system user (created by apt-get install postgresql)',
    );
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function tail(file: string, chars: number): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
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

async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs: number, abort?: Promise<string>): Promise<void> {
  const until = Date.now() + timeoutMs;
  let aborted: string | undefined;
  void abort?.then((why) => (aborted = why));
  let last: unknown;
  while (Date.now() < until) {
    if (aborted) throw new Error(`waiting for ${what}: ${aborted}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`,
  );
}
