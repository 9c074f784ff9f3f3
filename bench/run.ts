/**
 * `npm run bench` — the SPDR orchestrator benchmark.
 *
 *   npm run bench                 full mode (about 20 minutes on 2 cores)
 *   npm run bench -- --quick      quick mode (about 2-3 minutes)
 *   options: --no-wal             run the dev server exactly as startDevServer() does (rollback journal)
 *            --cluster [--minutes=20]  open-report capacity on `npm run cluster`'s topology instead (bench/cluster.ts)
 *            --only=1,3           run only some sections (1 lifecycle, 2 capacity, 3 latency, 4 escalation, 5 memory/replay, 6 profile, 7 arming, 8 storm)
 *            --out=DIR            results root (default bench/results)
 *
 * Starts its own dev server (SQLite file in a temp folder), the simulators and the worker; prints a
 * progress bar on stderr and the Markdown results on stdout; writes results.json, results.md and
 * chart.svg under bench/results/<timestamp>/ and bench/results/latest/. A figure that misses its
 * target never fails the run: the exit code is non-zero only when something crashed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveCli } from '../src/infra/temporal-servers';
import { startHarness, type Harness } from './harness';
import { renderMarkdown, writeResults, type BenchResults, type SectionEnv } from './output';
import { Progress } from './progress';
import { runClusterBench } from './cluster';
import { runArming } from './sections/arming';
import { runCapacity } from './sections/capacity';
import { cpuMsOf, selfCpuMs, type SectionContext } from './sections/common';
import { runDomainProfile } from './sections/domain-profile';
import { runEscalation } from './sections/escalation';
import { runLatency } from './sections/latency';
import { runLifecycle } from './sections/lifecycle';
import { runMemoryReplay } from './sections/memory-replay';
import { runStorm } from './sections/storm';

interface Args {
  quick: boolean;
  wal: boolean;
  only?: Set<number>;
  out: string;
  cluster?: boolean;
  minutes?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, wal: true, out: resolve(__dirname, 'results') };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg === '--full') args.quick = false;
    else if (arg === '--no-wal') args.wal = false;
    else if (arg === '--cluster') args.cluster = true;
    else if (arg.startsWith('--minutes=')) args.minutes = Number(arg.slice(10));
    else if (arg.startsWith('--only=')) args.only = new Set(arg.slice(7).split(',').map(Number));
    else if (arg.startsWith('--out=')) args.out = resolve(arg.slice(6));
    else if (arg === '--help' || arg === '-h') {
      console.log(
        readFileSync(__filename, 'utf8')
          .split('*/')[0]
          .replace(/^\/\*\*?|^ \* ?/gm, ''),
      );
      process.exit(0);
    } else {
      console.error(`unknown option ${arg} (try --help)`);
      process.exit(2);
    }
  }
  return args;
}

/** Busy CPU ms of the whole machine, from /proc/stat. */
function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu user nice system idle iowait irq softirq steal (clock ticks of 10 ms)
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * 10;
}

async function temporalCliVersion(): Promise<string> {
  try {
    const cli = await resolveCli();
    if (cli.type === 'existing-path') return execFileSync(cli.path, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  return 'temporal CLI (version unknown)';
}

type RunSection = <T>(name: string, run: () => Promise<T>) => Promise<T | undefined>;

/** Runs one section: a crash is recorded in `errors` (the run goes on), and the machine share is measured into `env`. */
function sectionRunner(harness: Harness, progress: Progress, errors: string[], env: Record<string, SectionEnv>): RunSection {
  return async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    const t0 = Date.now();
    const busy0 = machineBusyMs();
    const workerPid = harness.worker.pid;
    const ours0 = selfCpuMs() + cpuMsOf(harness.worker.pid) + cpuMsOf(harness.server.pid);
    try {
      return await run();
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      errors.push(`${name}: ${message.split('\n').slice(0, 4).join(' | ')}`);
      progress.log(`section ${name} crashed: ${message}`);
      return undefined;
    } finally {
      const wallMs = Date.now() - t0;
      const ours = selfCpuMs() + cpuMsOf(harness.worker.pid) + cpuMsOf(harness.server.pid) - ours0;
      // A restarted worker (section 5) makes our own CPU unknowable from /proc: no figure then.
      const foreignCores = harness.worker.pid === workerPid ? Math.max(0, (machineBusyMs() - busy0 - ours) / wallMs) : Number.NaN;
      env[name] = { wallMs, foreignCores, loadAverage: os.loadavg()[0] };
    }
  };
}

/** The sections in their order, each followed by a checkpoint of the results so far. */
async function runSections(
  ctx: SectionContext,
  args: Args,
  sections: BenchResults['sections'],
  section: RunSection,
  checkpoint: () => void,
): Promise<void> {
  const wants = (n: number) => !args.only || args.only.has(n);
  if (wants(1)) sections.lifecycle = await section('1 lifecycle', () => runLifecycle(ctx));
  checkpoint();
  if (wants(7)) sections.arming = await section('7 arming', () => runArming(ctx));
  checkpoint();
  if (wants(3)) sections.latency = await section('3 latency', () => runLatency(ctx));
  checkpoint();
  // Escalations before capacity: thousands of idle open reports would make the worker evict
  // and replay, which is measured in 2 and 5, not here.
  if (wants(4)) sections.escalation = await section('4 escalation', () => runEscalation(ctx));
  checkpoint();
  if (wants(2)) sections.capacity = await section('2 capacity', () => runCapacity(ctx));
  checkpoint();
  if (wants(5)) {
    let openReportIds = sections.capacity?.reportIds ?? [];
    if (openReportIds.length === 0) {
      // Run without section 2: open just enough reports for the largest cache size.
      const opened = await section('2 capacity (for 5)', () =>
        runCapacity({ ...ctx, runTag: `${ctx.runTag}x` }, [args.quick ? 300 : 1000]),
      );
      openReportIds = opened?.reportIds ?? [];
    }
    sections.memoryReplay = await section('5 memory/replay', () => runMemoryReplay({ ...ctx, openReportIds }));
    checkpoint();
  }
  if (wants(6)) {
    ctx.progress.phase('6 profile: domain core per call', 0);
    sections.profile = await section('6 profile', async () => runDomainProfile(args.quick));
  }
  if (wants(8)) sections.storm = await section('8 storm', () => runStorm(ctx));
}

/** The SDK's runtime logging errors only, so the progress display stays readable. */
function installQuietRuntime(): void {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.cluster) {
    installQuietRuntime();
    process.exit(await runClusterBench({ quick: args.quick, minutes: args.minutes ?? 20, out: args.out }));
  }
  installQuietRuntime();
  const progress = new Progress();
  const startedAt = new Date();
  const errors: string[] = [];
  const env: Record<string, SectionEnv> = {};
  const sections: BenchResults['sections'] = {};
  const loadAverageStart = os.loadavg()[0];
  const runTag = `b${startedAt.getTime().toString(36)}`;
  const cliVersion = await temporalCliVersion();

  let h: Harness | undefined;
  const build = (): BenchResults => ({
    meta: {
      mode: args.quick ? 'quick' : 'full',
      startedAt: startedAt.toISOString(),
      wallMs: Date.now() - startedAt.getTime(),
      node: process.version,
      cpus: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
      temporalCli: cliVersion,
      journalMode: h?.server.journalMode ?? 'unknown',
      serverStartedWith: h?.server.startedWith ?? 'not started',
      workerMaxCachedWorkflows: sections.capacity?.workerMaxCachedWorkflows ?? h?.worker.info?.maxCachedWorkflows ?? Number.NaN,
      loadAverageStart,
      loadAverageEnd: os.loadavg()[0],
      errors,
    },
    env,
    sections,
  });
  // Results so far are written after every section, so an interrupted run still leaves its figures.
  const checkpoint = (): void => {
    try {
      writeResults(args.out, build());
    } catch (err) {
      progress.log(`could not write partial results: ${String(err)}`);
    }
  };
  let stopping = false;
  process.once('SIGINT', () => {
    stopping = true;
    progress.log('interrupted: stopping the worker, the simulators and the dev server');
    void (h?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  });

  progress.phase('setup', 0, `${args.quick ? 'quick' : 'full'} mode`);
  try {
    h = await startHarness({ wal: args.wal, taskQueue: `bench-${runTag}`, log: (m) => progress.log(`setup: ${m}`) });
    progress.log(
      `setup: SQLite ${h.server.dbFile} journal mode ${h.server.journalMode}; server pid ${h.server.pid}; worker pid ${h.worker.pid} (maxCachedWorkflows ${h.worker.info?.maxCachedWorkflows})`,
    );
    const harness = h;
    const ctx: SectionContext = { h: harness, progress, quick: args.quick, runTag };

    await runSections(ctx, args, sections, sectionRunner(harness, progress, errors, env), checkpoint);
  } catch (err) {
    errors.push(`setup: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  } finally {
    progress.phase('teardown', 0);
    await h?.close().catch((err: unknown) => errors.push(`teardown: ${String(err)}`));
    progress.end();
  }

  if (stopping) return;
  const results = build();
  const dir = writeResults(args.out, results);
  process.stdout.write(renderMarkdown(results));
  process.stderr.write(`results: ${dir} (and ${resolve(args.out, 'latest')})\n`);
  process.exitCode = errors.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
