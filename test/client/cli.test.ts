/**
 * The starter CLI as a user runs it: a separate process, connection settings from the environment,
 * exit codes scripts can rely on. A worker runs in this process on the test's own task queue.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { SpdrClient, type ReportSummary } from '../../src/client';
import type { Report } from '../../src/domain';
import { main } from '../../src/starter';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems } from '../support/fake-activities';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

let server: Awaited<ReturnType<typeof connectToDevServer>>;
let worker: Worker;
let running: Promise<void>;
let spdr: SpdrClient;
const taskQueue = uniqueTaskQueue('cli');
const tmp = mkdtempSync(join(tmpdir(), 'spdr-cli-'));

beforeAll(async () => {
  server = await connectToDevServer();
  worker = await Worker.create({
    connection: server.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: fakeSystems().activities,
  });
  running = worker.run();
  spdr = new SpdrClient(server.client, { taskQueue });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await server?.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI asynchronously (the worker in this process must keep answering meanwhile). */
function starter(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; bin?: boolean; onStdout?: (chunk: string, child: ChildProcess) => void } = {},
): Promise<Run> {
  const env = { ...process.env, TEMPORAL_ADDRESS: inject('devServerAddress'), SPDR_TASK_QUEUE: taskQueue, ...options.env };
  const [file, argv] = options.bin
    ? [process.execPath, [join(ROOT, 'bin/starter.js'), ...args]]
    : [TSX, [join(ROOT, 'src/starter.ts'), ...args]];
  const started = Date.now();
  return new Promise((done) => {
    const child = execFile(file, argv, { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin?.end(options.stdin ?? '');
    if (options.onStdout) child.stdout?.on('data', (chunk: Buffer | string) => options.onStdout!(String(chunk), child));
  });
}

/** The CLI's main() in this process, for cases that never reach a server (usage, help, validation). */
async function inProcess(args: string[]): Promise<Omit<Run, 'ms'>> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { TEMPORAL_ADDRESS: '127.0.0.1:1' },
    interrupt: new AbortController().signal,
  });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}

let n = 0;
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
/** The critical-latency example under a report id of its own (the dev server is shared by the whole test run). */
function exampleFile(overrides: Record<string, unknown> = {}): { path: string; reportId: string; serviceId: string } {
  n += 1;
  const example = JSON.parse(readFileSync(join(ROOT, 'examples/critical-latency.json'), 'utf8')) as Record<string, unknown>;
  const reportId = `CLI-${runTag}-${n}`;
  const serviceId = `svc-cli-${runTag}-${n}`;
  const path = join(tmp, `${reportId}.json`);
  writeFileSync(path, JSON.stringify({ ...example, reportId, service: { id: serviceId, name: 'VoLTE core Frankfurt 1' }, ...overrides }));
  return { path, reportId, serviceId };
}

/** An example report opened through the client (the CLI's own open is pinned by the first test). */
async function openedExample(): Promise<{ reportId: string; serviceId: string }> {
  const { path, reportId, serviceId } = exampleFile();
  await spdr.open(JSON.parse(readFileSync(path, 'utf8')));
  return { reportId, serviceId };
}

describe('starter CLI', () => {
  it('opens a report from a file, and a second open from stdin says it is already open', async () => {
    const { path, reportId } = exampleFile();
    const opened = await starter(['open', path]);
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(
      new RegExp(`^opened ${reportId} \\(workflow spdr-${reportId}, run [0-9a-f-]+\\) on task queue ${taskQueue}`),
    );
    const again = await starter(['open', '-', '--json'], { stdin: readFileSync(path, 'utf8') });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ reportId, workflowId: `spdr-${reportId}`, alreadyOpen: true });
  });

  it('show --json prints the report query; show prints the human table', async () => {
    const { reportId } = await openedExample();
    const [json, human] = await Promise.all([starter(['show', reportId, '--json']), starter(['show', reportId])]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    expect(report).toMatchObject({
      reportId,
      status: 'acknowledged',
      severity: 'critical',
      jeopardy: { state: 'onTrack', escalationLevel: 0 },
    });
    expect(human.code).toBe(0);
    for (const expected of [
      `Report ${reportId}`,
      'acknowledged',
      'critical',
      'jeopardy',
      'onTrack · escalation level 0 · deadline',
      'Tasks',
      'Trouble reports',
      'Partner requests',
      'Rejected inputs: 0',
    ]) {
      expect(human.stdout).toContain(expected);
    }
  });

  it('signal and update send the example payloads; a refused update exits 5 with the reason', async () => {
    const { reportId } = await openedExample();
    const signalled = await starter(['signal', reportId, 'addAnalysis', '@examples/messages/addAnalysis-resource-cause.json']);
    expect([signalled.code, signalled.stdout.trim()]).toEqual([0, `sent addAnalysis to ${reportId} as a signal`]);
    const updated = await starter(['update', reportId, 'assign', '@examples/messages/assign.json']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(new RegExp(`^assign accepted by ${reportId}: status `));
    const refused = await starter(['update', reportId, 'confirmClosure', '{"by":"close.process"}']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(new RegExp(`^starter update: report ${reportId} rejected confirmClosure: .+`));
    const report = await spdr.get(reportId);
    expect(report.analysis.map((a) => a.author)).toEqual(['noc.anna']);
    expect(report.tasks.map((t) => t.taskId)).toContain('t1');
    expect(report.history.some((h) => h.action === 'closed')).toBe(false);
  });

  it('list --severity --jeopardy --service finds the report (visibility is eventually consistent)', async () => {
    const { reportId, serviceId } = await openedExample();
    let rows: ReportSummary[] = [];
    const until = Date.now() + 10_000;
    while (!rows.some((r) => r.reportId === reportId) && Date.now() < until) {
      const listed = await starter(['list', '--severity', 'critical', '--jeopardy', 'onTrack', '--service', serviceId, '--json']);
      expect(listed.code).toBe(0);
      rows = JSON.parse(listed.stdout) as ReportSummary[];
    }
    expect(rows.map((r) => [r.reportId, r.severity, r.jeopardy])).toEqual([[reportId, 'critical', 'onTrack']]);
    const table = await starter(['list', '--service', serviceId]);
    expect(table.stdout).toMatch(new RegExp(`^REPORT .*\\n${reportId}\\s+acknowledged\\s+critical\\s+onTrack\\s+0`));
  });

  it('watch prints changes until the report ends', async () => {
    const { reportId } = await openedExample();
    let firstLine!: () => void;
    const printedFirst = new Promise<void>((r) => (firstLine = r));
    const watching = starter(['watch', reportId, '--interval', '200ms'], { onStdout: () => firstLine() });
    await printedFirst;
    await spdr.cancel(reportId, { by: 'noc.anna', reason: 'falseServiceFailureEvent', note: 'probe misconfigured' });
    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`${reportId}: acknowledged · critical · jeopardy onTrack (level 0)`);
    expect(watched.stdout).toContain('status acknowledged -> cancelled');
    expect(watched.stdout.trim().split('\n').at(-1)).toBe(`${reportId} ended: cancelled`);
  });

  it('watch stops on Ctrl-C with exit 0', async () => {
    const { reportId } = await openedExample();
    let interrupted = false;
    const watched = await starter(['watch', reportId, '--interval', '1m'], {
      onStdout: (_chunk, child) => {
        if (!interrupted) child.kill('SIGINT');
        interrupted = true;
      },
    });
    expect(watched.code).toBe(0);
    expect(watched.stdout.trim().split('\n').at(-1)).toBe(`stopped watching ${reportId} (acknowledged)`);
  });

  it('bad JSON exits 2 and names the problem', async () => {
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"reportId": "R-1",');
    const [open, payload] = await Promise.all([starter(['open', broken]), starter(['signal', 'R-1', 'clear', '{"by":'])]);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(new RegExp(`^starter open: ${broken.replace(/[.]/g, '\\.')}: invalid JSON \\(`));
    expect(payload.code).toBe(2);
    expect(payload.stderr).toMatch(/^starter signal: payload: invalid JSON/);
  });

  it('invalid input exits 2 naming the field, before connecting', async () => {
    const { path } = exampleFile({ severity: 'urgent' });
    const [run, message, usage, missing] = await Promise.all([
      inProcess(['open', path]),
      inProcess(['update', 'R-1', 'setStatus', '{"by":"noc.anna","status":"closed","reason":"x"}']),
      inProcess(['list', '--severity', 'urgent,critical']),
      inProcess(['show']),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^starter open: startInput\.severity: Invalid option/);
    expect([message.code, message.stderr]).toEqual([2, expect.stringMatching(/^starter update: setStatus\.status: /)]);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringMatching(/^starter list: filter\.severity: .*"urgent"/)]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('usage: starter show <reportId> [--json]')]);
  });

  it('an unknown report exits 3', async () => {
    const run = await starter(['show', `NOPE-${runTag}`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `starter show: report NOPE-${runTag} not found (no workflow spdr-NOPE-${runTag}); check the report id and TEMPORAL_NAMESPACE\n`,
    );
  });

  it('an unreachable server exits 4 quickly, saying where it looked and what to do', async () => {
    const run = await starter(['show', 'R-1001'], { env: { TEMPORAL_ADDRESS: '127.0.0.1:1' } });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^starter show: cannot reach Temporal at 127\.0\.0\.1:1 .*is `npm start` running\? set TEMPORAL_ADDRESS/);
    expect(run.ms).toBeLessThan(30_000);
  });

  it('every command has --help (exit 0, no server needed), also through the npm bin', async () => {
    for (const command of ['open', 'signal', 'update', 'show', 'list', 'watch']) {
      const run = await inProcess([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: starter ${command} `));
      expect(run.stdout).toContain('Exit codes: 0 ok, 2 usage or bad input, 3 unknown report, 4 Temporal unreachable');
    }
    expect((await inProcess(['help', 'list'])).stdout).toMatch(/^usage: starter list /);
    expect((await inProcess([])).code).toBe(2);
    expect((await inProcess(['frobnicate'])).stderr).toMatch(/^starter: unknown command "frobnicate"/);
    const general = await starter(['--help'], { bin: true });
    expect(general.code).toBe(0);
    expect(general.stdout).toMatch(/^usage: starter <command>/);
  });
});
