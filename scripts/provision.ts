/**
 * `npm run provision`: everything `npm start`, `npm run cluster` and `npm test` need, so none of
 * them pays for it later. Idempotent; a warm run only checks. Prints what it found.
 *
 * - the Temporal CLI and the time-skipping test server (`.temporal/bin`, see README "Offline");
 * - Temporal Server and its SQL tool, built with `go install` into `.temporal/bin` (minutes, once);
 * - PostgreSQL, Prometheus, the browser (Debian `chromium`) and `docker-compose`: Debian packages, installed with
 *   apt-get when missing and running as root (or with sudo); otherwise a message says what to install.
 *
 * SPDR_PROVISION_SKIP=server,postgres,browser,compose skips parts (for machines that only run `npm start`).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPostgres, provisionPostgres, provisionServerBinaries, TEMPORAL_SERVER_VERSION } from '../src/infra/cluster';
import { PROJECT_ROOT, TEMPORAL_CLI_VERSION, TEMPORAL_TEST_SERVER_VERSION } from '../src/infra/temporal-binaries';
import { resolveCli, resolveTestServer } from '../src/infra/temporal-servers';

const run = promisify(execFile);
const skip = new Set(
  (process.env.SPDR_PROVISION_SKIP ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const problems: string[] = [];

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function aptInstall(packages: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : onPath('sudo') ? ['sudo', '-n'] : undefined;
  if (!sudo || !onPath('apt-get'))
    throw new Error(`install ${packages.join(' ')} (Debian/Ubuntu: sudo apt-get install ${packages.join(' ')})`);
  const [cmd, ...pre] = [...sudo, 'apt-get'];
  await run(cmd!, [...pre, 'update', '-qq']);
  await run(cmd!, [...pre, 'install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function step(name: string, what: () => Promise<string>): Promise<void> {
  if (skip.has(name)) {
    console.log(`${name}: skipped (SPDR_PROVISION_SKIP)`);
    return;
  }
  try {
    console.log(await what());
  } catch (err) {
    problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function main(): Promise<void> {
  const cli = await resolveCli();
  console.log(
    `Temporal CLI ${TEMPORAL_CLI_VERSION}: ${cli.type === 'existing-path' ? cli.path : `SDK download cache (${cli.downloadDir})`}`,
  );
  const ts = await resolveTestServer();
  console.log(
    `Temporal test server ${TEMPORAL_TEST_SERVER_VERSION}: ${ts.type === 'existing-path' ? ts.path : `SDK download cache (${ts.downloadDir})`}`,
  );

  await step('compose', async () => {
    // curl: scripts/smoke-start.sh checks `npm start` with it.
    const missing = [
      ['docker-compose', 'docker-compose'],
      ['curl', 'curl'],
    ]
      .filter(([cmd]) => !onPath(cmd!))
      .map(([, pkg]) => pkg!);
    if (missing.length > 0) await aptInstall(missing);
    return `docker-compose: ${(await run('docker-compose', ['version', '--short'])).stdout.trim()}`;
  });
  await step('browser', async () => {
    const { stdout } = await run(join(PROJECT_ROOT, 'scripts/install-browser.sh'), [], { maxBuffer: 16 * 1024 * 1024 }).catch(
      (err: { stderr?: string }) => {
        throw new Error((err.stderr ?? String(err)).trim());
      },
    );
    return stdout.trim().split('\n').pop() ?? '';
  });
  await step('postgres', async () => {
    const had = findPostgres();
    const bin = had ?? (await provisionPostgres());
    return `PostgreSQL: ${(await run(join(bin, 'postgres'), ['--version'])).stdout.trim()} (${bin})`;
  });
  await step('prometheus', async () => {
    // test/metrics/prometheus.test.ts scrapes a worker with a real Prometheus (Debian's, with promtool).
    if (!onPath('prometheus') || !onPath('promtool')) await aptInstall(['prometheus']);
    const { stdout } = await run('prometheus', ['--version']);
    return stdout.trim().split('\n')[0] ?? 'prometheus';
  });
  await step('server', async () => {
    const bins = await provisionServerBinaries();
    if (!existsSync(bins.server)) throw new Error('build did not produce the server');
    return `Temporal Server ${TEMPORAL_SERVER_VERSION}: ${bins.server}, ${bins.sqlTool}`;
  });

  if (problems.length > 0) {
    console.error(`\nnpm run provision could not provide everything:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
