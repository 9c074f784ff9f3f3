/** Worker, starter and client find the token `npm run cluster` issues, with no setting but the address. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTemporalTarget } from '../../src/infra/connection';

const dataDir = mkdtempSync(join(tmpdir(), 'spdr-token-'));
mkdirSync(join(dataDir, 'cluster', 'auth'), { recursive: true });
writeFileSync(join(dataDir, 'cluster', 'auth', 'writer.token'), 'header.claims.signature\n');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the cluster token in the connection settings', () => {
  it('is sent as the API key, in clear, when an address is configured and the data folder holds it', () => {
    const target = loadTemporalTarget({ TEMPORAL_ADDRESS: '127.0.0.1:7233', SPDR_DATA_DIR: dataDir });
    expect(target.config.connectionOptions).toMatchObject({ address: '127.0.0.1:7233', apiKey: 'header.claims.signature', tls: false });
  });

  it('gives way to an API key that is configured (TLS then as envconfig decides)', () => {
    const target = loadTemporalTarget({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: 'cloud-key', SPDR_DATA_DIR: dataDir });
    expect(target.config.connectionOptions.apiKey).toBe('cloud-key');
    expect(target.config.connectionOptions.tls).toBeTruthy();
  });

  it('is not used for the embedded dev server, nor when SPDR_TEMPORAL_API_KEY_FILE is empty or names a missing file', () => {
    expect(loadTemporalTarget({ SPDR_DATA_DIR: dataDir }).config.connectionOptions.apiKey).toBeUndefined();
    expect(
      loadTemporalTarget({ TEMPORAL_ADDRESS: '127.0.0.1:7233', SPDR_DATA_DIR: dataDir, SPDR_TEMPORAL_API_KEY_FILE: '' }).config
        .connectionOptions.apiKey,
    ).toBeUndefined();
    expect(
      loadTemporalTarget({ TEMPORAL_ADDRESS: '127.0.0.1:7233', SPDR_TEMPORAL_API_KEY_FILE: join(dataDir, 'none') }).config.connectionOptions
        .apiKey,
    ).toBeUndefined();
  });

  it('can be any file named by SPDR_TEMPORAL_API_KEY_FILE', () => {
    const file = join(dataDir, 'other.token');
    writeFileSync(file, 'other');
    expect(
      loadTemporalTarget({ TEMPORAL_ADDRESS: '127.0.0.1:7233', SPDR_TEMPORAL_API_KEY_FILE: file }).config.connectionOptions.apiKey,
    ).toBe('other');
  });
});
