import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEnvFile } from '../src/infra/cluster';
import { ALL_SEARCH_ATTRIBUTES } from '../src/search-attributes';

const withPassword = {
  ...process.env,
  POSTGRES_PASSWORD: 'from-the-operator',
  SPDR_TROUBLE_CALLBACK_SECRET: 'c'.repeat(64),
  GRAFANA_ADMIN_PASSWORD: 'from-the-operator-too',
};
const rendered = (): string =>
  execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8', env: withPassword });

// No Docker engine runs here, so the stack is validated, not started.
describe('docker-compose.yml', () => {
  it('is a valid Compose file (docker-compose config -q)', () => {
    expect(() =>
      execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { stdio: 'pipe', env: withPassword }),
    ).not.toThrow();
  });

  it('has no default password: without POSTGRES_PASSWORD it stops, saying so', () => {
    const env = { ...withPassword } as NodeJS.ProcessEnv;
    delete env.POSTGRES_PASSWORD;
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { encoding: 'utf8', env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/set POSTGRES_PASSWORD, there is no default password/);
    expect(rendered()).not.toMatch(/PASSWORD: temporal|PWD: temporal/);
  });

  it('has no default callback secret: without SPDR_TROUBLE_CALLBACK_SECRET it stops, saying so; simulators and worker share it', () => {
    const env = { ...withPassword } as NodeJS.ProcessEnv;
    delete env.SPDR_TROUBLE_CALLBACK_SECRET;
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { encoding: 'utf8', env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/set SPDR_TROUBLE_CALLBACK_SECRET/);
    const text = rendered();
    expect(text.match(/SIM_TROUBLE_CALLBACK_SECRET: c{64}/g)).toHaveLength(1);
    expect(text.match(/SPDR_TROUBLE_CALLBACK_SECRET: c{64}/g)).toHaveLength(1);
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const text = rendered();
    const published = [...text.matchAll(/^\s+- (\S+:\d+\/tcp)$/gm)].map((m) => m[1]!);
    expect(published.length).toBeGreaterThanOrEqual(5);
    expect(published.filter((p) => !p.startsWith('127.0.0.1:'))).toEqual([]);
    // A port given without a host address ('3000:3000', every interface) is rendered in the long
    // form (`- published: 3000` / `target: 3000`), which the short-form match above never sees.
    expect([...text.matchAll(/^\s+- published: (\S+)$/gm)].map((m) => `published ${m[1]} on every interface`)).toEqual([]);
  });

  it('pins every image to a version (no latest, no bare major)', () => {
    const images = [...rendered().matchAll(/image: (\S+)/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThanOrEqual(4);
    expect(images.filter((i) => !/:v?\d+\.\d+(\.\d+)?(-[a-z0-9]+)?$/.test(i))).toEqual([]);
  });

  it('runs the server on the configuration npm run cluster uses: 16 history shards, JWT authorization, the internal frontend', () => {
    expect(readFileSync('docker-compose.yml', 'utf8')).toContain('env_file: deploy/temporal-server.env');
    expect(readFileSync('src/infra/cluster-server.ts', 'utf8')).toContain("'deploy/temporal-server.env'");
    expect(readEnvFile('deploy/temporal-server.env')).toMatchObject({
      DB: 'postgres12',
      NUM_HISTORY_SHARDS: '16',
      TEMPORAL_AUTH_AUTHORIZER: 'default',
      TEMPORAL_AUTH_CLAIM_MAPPER: 'default',
      USE_INTERNAL_FRONTEND: 'true',
    });
    expect(rendered()).toMatch(/TEMPORAL_JWT_KEY_SOURCE1: file:\/\/\/auth\/jwks.json/);
  });

  it('registers every search attribute the workflow writes', () => {
    const script = readFileSync('deploy/register-search-attributes.sh', 'utf8');
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(script).toContain(`${key.name}:`);
  });

  it('runs PostgreSQL, schema setup, the server, Temporal Web 2.38+, the worker and the simulators', () => {
    const config = rendered();
    for (const service of ['postgresql:', 'temporal-schema:', 'temporal:', 'temporal-setup:', 'temporal-ui:', 'worker:', 'simulators:']) {
      expect(config).toContain(`  ${service}`);
    }
    const ui = /temporalio\/ui:(\d+)\.(\d+)/.exec(config);
    expect(ui).not.toBeNull();
    expect(Number(ui![1]) * 1000 + Number(ui![2])).toBeGreaterThanOrEqual(2038);
  });
});
