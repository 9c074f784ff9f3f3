import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_SEARCH_ATTRIBUTES } from '../src/search-attributes';

// No Docker engine runs here, so the stack is validated, not started.
describe('docker-compose.yml', () => {
  it('is a valid Compose file (docker-compose config -q)', () => {
    expect(() => execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { stdio: 'pipe' })).not.toThrow();
  });

  it('registers every search attribute the workflow writes', () => {
    const script = readFileSync('deploy/register-search-attributes.sh', 'utf8');
    for (const key of ALL_SEARCH_ATTRIBUTES) expect(script).toContain(`${key.name}:`);
  });

  it('runs PostgreSQL, schema setup, the server, Temporal Web 2.38+, the worker and the simulators', () => {
    const config = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8' });
    for (const service of ['postgresql:', 'temporal-schema:', 'temporal:', 'temporal-setup:', 'temporal-ui:', 'worker:', 'simulators:']) {
      expect(config).toContain(`  ${service}`);
    }
    const ui = /temporalio\/ui:(\d+)\.(\d+)/.exec(config);
    expect(ui).not.toBeNull();
    expect(Number(ui![1]) * 1000 + Number(ui![2])).toBeGreaterThanOrEqual(2038);
  });
});
