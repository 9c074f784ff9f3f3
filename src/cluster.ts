/**
 * `npm run cluster`: the production topology in the foreground. PostgreSQL (its own data folder and
 * port), the schema set up or upgraded, Temporal Server with 16 history shards and JWT authorization,
 * the namespace and the `Spdr*` search attributes. Ctrl-C stops it all; the next run reuses the data.
 *
 * Settings: SPDR_DATA_DIR (the cluster lives in `<it>/cluster`), SPDR_CLUSTER_PORT (frontend, 7233),
 * SPDR_CLUSTER_PG_PORT (5433), TEMPORAL_NAMESPACE (default).
 */
import { join } from 'node:path';
import {
  ClusterProvisioningError,
  DEFAULT_CLUSTER_PORTS,
  HISTORY_SHARDS,
  TEMPORAL_SERVER_VERSION,
  defaultClusterDir,
  startCluster,
} from './infra/cluster';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    console.error(`${name}: must be a port number (got "${raw}")`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const dir = defaultClusterDir();
  const frontend = port('SPDR_CLUSTER_PORT', DEFAULT_CLUSTER_PORTS.frontend);
  // The other server ports keep their distance from the frontend, so two clusters can run side by side.
  const shift = frontend - DEFAULT_CLUSTER_PORTS.frontend;
  const ports = Object.fromEntries(
    Object.entries(DEFAULT_CLUSTER_PORTS).map(([k, v]) => [k, k === 'postgres' ? v : v + shift]),
  ) as typeof DEFAULT_CLUSTER_PORTS;
  ports.postgres = port('SPDR_CLUSTER_PG_PORT', DEFAULT_CLUSTER_PORTS.postgres);
  console.log(`Starting the cluster in ${dir} ...`);
  const cluster = await startCluster({
    dir,
    ports,
    namespace: process.env.TEMPORAL_NAMESPACE || 'default',
    log: (l) => console.log(`  ${l}`),
  });
  const address = cluster.address;
  console.log('');
  console.log(
    `PostgreSQL ${'(pid ' + String(cluster.postgresPid()) + ')'}  127.0.0.1:${cluster.ports.postgres}, data ${join(dir, 'postgres')}, user temporal, password in ${join(dir, 'postgres-password')}, log ${join(dir, 'postgres.log')}`,
  );
  console.log(
    `Temporal Server ${TEMPORAL_SERVER_VERSION} (pid ${String(cluster.serverPid())})  frontend ${address}, ${HISTORY_SHARDS} history shards, log ${join(dir, 'temporal-server.log')}`,
  );
  console.log(`Namespace "${cluster.namespace}" with the Spdr* search attributes; JWT authorization, key set ${cluster.auth.jwksFile}`);
  console.log(
    `Tokens: ${cluster.auth.tokenFile('writer')} (worker, starter, client: used by default), ${cluster.auth.tokenFile('reader')} (read-only), ${cluster.auth.tokenFile('admin')}`,
  );
  console.log('');
  console.log(`Run the worker and simulators:  TEMPORAL_ADDRESS=${address} npm start`);
  console.log(`Open a report:                  TEMPORAL_ADDRESS=${address} npm run starter -- open examples/minimal.json`);
  console.log('Stop with Ctrl-C (the data stays for the next run).');

  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping Temporal Server, then PostgreSQL ...`);
    await cluster.stop();
    console.log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('Ctrl-C', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  void cluster.crashed.then((what) => stop(what, 1));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(err instanceof ClusterProvisioningError ? 3 : 1);
});
