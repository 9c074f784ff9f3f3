/** The cluster's listeners: the usual ports of `npm run cluster`, or free ones for tests and benchmarks. */
import { createServer } from 'node:net';

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
