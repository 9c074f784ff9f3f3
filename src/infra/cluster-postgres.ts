/**
 * The cluster's PostgreSQL (persistence and SQL visibility): found or installed, its data folder
 * initialised once with a generated password, started on 127.0.0.1 only, and the two Temporal
 * databases created and their schemas set up or upgraded with Temporal's SQL tool.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClusterProvisioningError, waitFor, type Child, type ChildGroup, type Log } from './cluster-processes';

const run = promisify(execFile);

export const DB_USER = 'temporal';
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

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

/** One cluster's PostgreSQL: its binaries, data folder, port, and the OS user it runs as (as root). */
export interface PostgresInstance {
  bin: string;
  dir: string;
  pgData: string;
  port: number;
  user: { uid: number; gid: number } | undefined;
}

export function postgresInstance(bin: string, dir: string, port: number): PostgresInstance {
  mkdirSync(dir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: as root it runs as the `postgres` user, which must reach its data folder.
  if (isRoot) chmodSync(dir, statSync(dir).mode | 0o711);
  return { bin, dir, pgData: join(dir, 'postgres'), port, user: isRoot ? pgOsUser() : undefined };
}

function asPgUser(pg: PostgresInstance, cmd: string, args: string[]): [string, string[]] {
  return pg.user ? ['setpriv', [`--reuid=${pg.user.uid}`, `--regid=${pg.user.gid}`, '--clear-groups', '--', cmd, ...args]] : [cmd, args];
}

/** Runs initdb the first time (user `temporal`, a generated password kept in the cluster folder); returns the password. */
export async function initPostgresData(pg: PostgresInstance, log: Log): Promise<string> {
  const passwordFile = join(pg.dir, 'postgres-password');
  const { pgData } = pg;
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${pgData}`);
    rmSync(pgData, { recursive: true, force: true });
    mkdirSync(pgData, { mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const pwfile = join(pg.dir, '.initdb-password');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (pg.user) {
      chownSync(pgData, pg.user.uid, pg.user.gid);
      chownSync(pwfile, pg.user.uid, pg.user.gid);
    }
    try {
      const [cmd, args] = asPgUser(pg, join(pg.bin, 'initdb'), [
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
  return readFileSync(passwordFile, 'utf8').trim();
}

/** Starts PostgreSQL in the group (then `waitForPostgres`). */
export function spawnPostgres(pg: PostgresInstance, children: ChildGroup): Child {
  // Sockets off: TCP on 127.0.0.1 only, so no folder outside the data dir is needed.
  const [pgCmd, pgArgs] = asPgUser(pg, join(pg.bin, 'postgres'), [
    '-D',
    pg.pgData,
    '-p',
    String(pg.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ]);
  return children.spawn('PostgreSQL', pgCmd, pgArgs, process.env, join(pg.dir, 'postgres.log'));
}

/** Waits until PostgreSQL accepts connections (or its process has exited). */
export async function waitForPostgres(pg: PostgresInstance, children: ChildGroup): Promise<void> {
  await waitFor(
    async () => {
      await run(join(pg.bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(pg.port)]);
      return true;
    },
    `PostgreSQL on 127.0.0.1:${pg.port} (log: ${join(pg.dir, 'postgres.log')})`,
    30_000,
    children.crashed,
  );
}

/** One SQL statement through psql as the `temporal` user; its unaligned output. */
export type Psql = (db: string, sql: string) => Promise<string>;

export function psqlOf(pg: PostgresInstance, password: string): Psql {
  return async (db, sql) =>
    (
      await run(join(pg.bin, 'psql'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', DB_USER, '-d', db, '-tAc', sql], {
        env: { ...process.env, PGPASSWORD: password },
      })
    ).stdout.trim();
}

/** Creates the two Temporal databases when missing, sets up their schema once and upgrades it to the server's version. */
export async function setUpSchema(pg: PostgresInstance, password: string, sqlToolBin: string): Promise<void> {
  const psql = psqlOf(pg, password);
  const sqlEnv = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(pg.port),
    SQL_USER: DB_USER,
    SQL_PASSWORD: password,
  };
  const sqlTool = async (db: string, args: string[]) => {
    await run(sqlToolBin, ['--db', db, ...args], { env: sqlEnv }).catch((err: { stdout?: string; stderr?: string }) => {
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
