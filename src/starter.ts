#!/usr/bin/env node
/**
 * `starter`: open and steer reports from scripts and terminals, on top of the typed client
 * (`src/client`). Input is validated before anything is sent; each kind of failure has its own
 * exit code so scripts can react (see EXIT).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { computeStats, fetchStatsFacts, renderStatsHtml, renderStatsText, statsQuery } from './client/stats';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  SpdrClient,
  SpdrInvalidInputError,
  SpdrNotFoundError,
  SpdrRejectedError,
  SpdrUnreachableError,
  buildListQuery,
  describeChanges,
  renderReport,
  renderReportList,
  validateMessage,
  validateReportId,
  validateStartInput,
  type ReportFilter,
  type StartInputJson,
} from './client';
import { DEFAULT_TASK_QUEUE } from './contract';
import { MaintenanceClient } from './client/maintenance';
import { parseWindowInput, type MaintenanceWindowInputJson, type WindowView } from './domain/maintenance';
import { MESSAGE_NAMES, parseDuration, type MessagePayloadJson } from './domain';

/** Exit codes; stable, scripts depend on them. */
export const EXIT = {
  ok: 0,
  other: 1,
  /** Usage error or bad input (the message names the field). */
  badInput: 2,
  unknownReport: 3,
  unreachable: 4,
  /** The report refused the update (illegal transition, ...) or has ended. */
  rejected: 5,
} as const;

class UsageError extends Error {}

interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (only `watch` listens). */
  interrupt: AbortSignal;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  usage: string;
  summary: string;
  help: string;
  options: Options;
  /** Checks the arguments and validates input (no server needed), then returns what talks to the server. */
  prepare(args: string[], values: Values, io: Io): (spdr: SpdrClient) => Promise<number>;
}

const CONNECTION_HELP = `Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE
(@temporalio/envconfig, the same settings as the worker); task queue SPDR_TASK_QUEUE (default ${DEFAULT_TASK_QUEUE}).`;

const EXIT_HELP = `Exit codes: 0 ok, 2 usage or bad input, 3 unknown report, 4 Temporal unreachable,
5 rejected by the report, 1 anything else.`;

const MESSAGE_HELP = `Messages: ${MESSAGE_NAMES.join(', ')}.
Payload: inline JSON, @file.json, or @- for stdin. Examples in examples/messages/.`;

function readSource(source: string, what: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw new SpdrInvalidInputError(`cannot read ${what} ${source === '-' ? 'from stdin' : source}: ${(err as Error).message}`);
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SpdrInvalidInputError(`${where}: invalid JSON (${(err as Error).message})`);
  }
}

/** `<json|@file|@->`: inline JSON, or a file / stdin after `@`. */
function readPayload(arg: string): unknown {
  if (arg.startsWith('@')) {
    const source = arg.slice(1);
    return parseJson(readSource(source, 'payload'), source === '-' ? 'stdin' : source);
  }
  return parseJson(arg, 'payload');
}

function positional(args: string[], count: number, names: string): string[] {
  if (args.length !== count)
    throw new UsageError(`expected ${names}, got ${args.length === 0 ? 'nothing' : args.map((a) => JSON.stringify(a)).join(' ')}`);
  return args;
}

const list = (value: string | boolean | undefined): string[] | undefined =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
    : undefined;

function sendCommand(mode: 'signal' | 'update'): Command {
  return {
    usage: `${mode} <reportId> <name> <json|@file>${mode === 'update' ? ' [--json]' : ''}`,
    summary: mode === 'signal' ? 'send a message as a signal (fire-and-forget)' : 'send a message as an update (waits; refusals come back)',
    help:
      mode === 'signal'
        ? `Sends a message as a signal. The payload is validated first; a payload the report refuses later
(e.g. an illegal transition) is recorded in its rejectedInputs. Use "update" to get the refusal back.

  starter signal R-1001 addAnalysis @examples/messages/addAnalysis-resource-cause.json
  starter signal R-1001 clear '{"by":"noc.anna","resolution":"Uplink replaced"}'

${MESSAGE_HELP}`
        : `Sends a message as an update and prints the report after it (--json: the whole report).
A refusal by the report (illegal transition, unknown task, ...) exits 5 with its reason and changes nothing.

  starter update R-1001 assign @examples/messages/assign.json
  starter update R-1001 setStatus '{"by":"noc.anna","status":"pending","reason":"waiting on customer"}'

${MESSAGE_HELP}`,
    options: mode === 'update' ? { json: { type: 'boolean' } } : {},
    prepare(args, values, io) {
      const [reportId, name, raw] = positional(args, 3, '<reportId> <name> <json|@file>');
      validateReportId(reportId!);
      const payload = readPayload(raw!);
      validateMessage(name!, payload);
      const typed = payload as MessagePayloadJson<typeof name>;
      return async (spdr) => {
        if (mode === 'signal') {
          await spdr.signal(reportId!, name, typed);
          io.out(`sent ${name} to ${reportId} as a signal`);
          return EXIT.ok;
        }
        const report = await spdr.update(reportId!, name, typed);
        if (values.json) io.out(JSON.stringify(report, null, 2));
        else
          io.out(
            `${name} accepted by ${reportId}: status ${report.status} · jeopardy ${report.jeopardy.state} (level ${report.jeopardy.escalationLevel}) · deadline ${report.jeopardy.deadline}`,
          );
        return EXIT.ok;
      };
    },
  };
}

/** `starter maintenance create|list|show|cancel|extend`: maintenance windows (src/client/maintenance.ts). */
const maintenanceCommand: Command = {
  usage:
    'maintenance <create <file.json|->|list [--all]|show <windowId>|cancel <windowId> --by <who> --reason <why>|extend <windowId> --by <who> --end <iso>> [--json]',
  summary: 'create, list, show, cancel or extend maintenance windows',
  help: `Maintenance windows (workflow maintenanceWindow, id mw-<windowId>): while one is active, every open
report of a service in its scope (or whose root-cause resource is in it) is held, its clocks paused.

  starter maintenance create examples/maintenance-window.json
  starter maintenance list            (--all: ended and cancelled ones too)
  starter maintenance show CHG-778
  starter maintenance extend CHG-778 --by noc.anna --end 2026-12-02T04:00:00Z
  starter maintenance cancel CHG-778 --by noc.anna --reason "change rolled back"`,
  options: {
    json: { type: 'boolean' },
    all: { type: 'boolean' },
    by: { type: 'string' },
    reason: { type: 'string' },
    end: { type: 'string' },
  },
  prepare(args, values, io) {
    const [action, ...rest] = args;
    const print = (view: WindowView): void => io.out(values.json ? JSON.stringify(view, null, 2) : renderWindow(view));
    const required = (name: string): string => {
      const value = values[name];
      if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`maintenance ${action}: --${name} is required`);
      return value;
    };
    switch (action) {
      case 'create': {
        const [source] = positional(rest, 1, '<file.json|->');
        const input = parseJson(readSource(source!, 'window'), source === '-' ? 'stdin' : source!);
        const parsed = parseWindowInput(input);
        if (!parsed.ok) throw new SpdrInvalidInputError(parsed.reason);
        return async (spdr) => {
          const view = await new MaintenanceClient(spdr.client, spdr.taskQueue).create(input as MaintenanceWindowInputJson);
          if (values.json) print(view);
          else
            io.out(
              `created maintenance window ${view.windowId} (workflow mw-${view.windowId}) on task queue ${spdr.taskQueue}: ${renderWindow(view)}`,
            );
          return EXIT.ok;
        };
      }
      case 'list':
        positional(rest, 0, 'no argument');
        return async (spdr) => {
          const windows = await new MaintenanceClient(spdr.client, spdr.taskQueue).list({ all: values.all === true });
          if (values.json) io.out(JSON.stringify(windows, null, 2));
          else if (windows.length === 0)
            io.out(values.all ? 'no maintenance windows' : 'no running maintenance windows (--all: ended ones too)');
          else
            for (const w of windows)
              io.out(
                `${w.windowId}  ${w.state}  ${w.scope.join(',')}  created ${w.startTime}${w.status === 'RUNNING' ? '' : `  (${w.status.toLowerCase()})`}`,
              );
          return EXIT.ok;
        };
      case 'show': {
        const [windowId] = positional(rest, 1, '<windowId>');
        return async (spdr) => {
          print(await new MaintenanceClient(spdr.client, spdr.taskQueue).show(windowId!));
          return EXIT.ok;
        };
      }
      case 'cancel':
      case 'extend': {
        const [windowId] = positional(rest, 1, '<windowId>');
        const by = required('by');
        const payload = action === 'cancel' ? { by, reason: required('reason') } : { by, end: required('end') };
        return async (spdr) => {
          const windows = new MaintenanceClient(spdr.client, spdr.taskQueue);
          const view =
            action === 'cancel'
              ? await windows.cancel(windowId!, payload as { by: string; reason: string })
              : await windows.extend(windowId!, payload as { by: string; end: string });
          print(view);
          return EXIT.ok;
        };
      }
      default:
        throw new UsageError(
          `maintenance: expected create, list, show, cancel or extend, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`,
        );
    }
  },
};

function renderWindow(view: WindowView): string {
  const next = view.nextOccurrence ? ` · next ${view.nextOccurrence.start} to ${view.nextOccurrence.end}` : '';
  const now = view.currentOccurrence ? ` · active until ${view.currentOccurrence.end}` : '';
  return `${view.windowId} ${view.state}${now}${next} · ${view.heldReports} report(s) held · scope ${[...view.scope.serviceIds, ...view.scope.resourceIds].join(', ')}`;
}

const COMMANDS: Record<string, Command> = {
  maintenance: maintenanceCommand,
  open: {
    usage: 'open <file.json|-> [--json]',
    summary: 'open a report from a JSON file (or stdin)',
    help: `Opens a report from a start input (JSON file, or - for stdin), validated before it is sent.
Idempotent by reportId: opening a report that is already open returns the existing report and
does NOT apply the new input ("already open"). A report that has ended is not reopened (exit 5).

  starter open examples/critical-latency.json
  cat report.json | starter open -`,
    options: { json: { type: 'boolean' } },
    prepare(args, values, io) {
      const [source] = positional(args, 1, '<file.json|->');
      const input = parseJson(readSource(source!, 'start input'), source === '-' ? 'stdin' : source!);
      validateStartInput(input);
      return async (spdr) => {
        const opened = await spdr.open(input as StartInputJson);
        const runId = opened.handle.firstExecutionRunId;
        if (values.json)
          io.out(
            JSON.stringify({ reportId: opened.reportId, workflowId: opened.workflowId, runId, alreadyOpen: opened.alreadyOpen }, null, 2),
          );
        else if (opened.alreadyOpen)
          io.out(`${opened.reportId} is already open (workflow ${opened.workflowId}, run ${runId}); the new input was not applied`);
        else io.out(`opened ${opened.reportId} (workflow ${opened.workflowId}, run ${runId}) on task queue ${spdr.taskQueue}`);
        return EXIT.ok;
      };
    },
  },
  signal: sendCommand('signal'),
  update: sendCommand('update'),
  show: {
    usage: 'show <reportId> [--json]',
    summary: 'show a report (human table or --json)',
    help: `Shows a report: status, severity, service, jeopardy (state, level, deadline), tasks, trouble
reports, partner requests, the last analysis and the number of rejected inputs. --json prints the
whole report as the "report" query returns it.

  starter show R-1001
  starter show R-1001 --json | jq .jeopardy`,
    options: { json: { type: 'boolean' } },
    prepare(args, values, io) {
      const [reportId] = positional(args, 1, '<reportId>');
      validateReportId(reportId!);
      return async (spdr) => {
        const report = await spdr.get(reportId!);
        io.out(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
        return EXIT.ok;
      };
    },
  },
  list: {
    usage: 'list [--status s] [--severity s] [--jeopardy s] [--service id] [--assignee a] [--all] [--limit n] [--json]',
    summary: 'list reports by status, severity, jeopardy, service, assignee',
    help: `Lists open reports (with --all: ended ones too), newest first, from the Spdr* search attributes.
--status, --severity and --jeopardy take one value or a comma-separated list.

  starter list --severity critical --jeopardy inJeopardy,breached
  starter list --service svc-volte-fra1 --all --json
  starter list --assignee tx.team`,
    options: {
      status: { type: 'string' },
      severity: { type: 'string' },
      jeopardy: { type: 'string' },
      service: { type: 'string' },
      assignee: { type: 'string' },
      all: { type: 'boolean' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    prepare(args, values, io) {
      positional(args, 0, 'no arguments besides options');
      const filter = {
        status: list(values.status),
        severity: list(values.severity),
        jeopardy: list(values.jeopardy),
        serviceId: values.service,
        assignee: values.assignee,
        openOnly: values.all ? false : undefined,
      } as ReportFilter;
      buildListQuery(filter);
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new SpdrInvalidInputError(`--limit: expected an integer from 1 to 1000 (got ${String(values.limit)})`);
      return async (spdr) => {
        const summaries = await spdr.list(filter, limit);
        io.out(values.json ? JSON.stringify(summaries, null, 2) : renderReportList(summaries));
        return EXIT.ok;
      };
    },
  },
  stats: {
    usage: 'stats [--since 30d] [--service id] [--severity s] [--json] [--html FILE]',
    summary: 'MTTA, MTTR, SLA compliance, breaches, escalations, partners, top services',
    help: `Service-quality figures over the reports ended (closed or cancelled) since --since (default 30d):
MTTA and MTTR (p50/p90) by severity, SLA compliance (% cleared before the deadline) by severity and
by service, breaches, escalations by level, partner lateness, top services. --html FILE also writes
one self-contained page with SVG charts (no network) to mail.

  starter stats --since 7d
  starter stats --service svc-volte-fra1 --severity critical --json
  starter stats --html quality.html`,
    options: {
      since: { type: 'string' },
      service: { type: 'string' },
      severity: { type: 'string' },
      json: { type: 'boolean' },
      html: { type: 'string' },
    },
    prepare(args, values, io) {
      positional(args, 0, 'no arguments besides options');
      const sinceText = (values.since as string | undefined) ?? '30d';
      const sinceMs = parseDuration(sinceText);
      if (sinceMs === undefined || sinceMs <= 0)
        throw new SpdrInvalidInputError(`--since: expected a duration such as 30d, 12h, P7D (got "${sinceText}")`);
      const since = new Date(Date.now() - sinceMs).toISOString();
      const query = statsQuery(since, values.service as string | undefined, values.severity as string | undefined);
      return async (spdr) => {
        const { facts } = await fetchStatsFacts(spdr.client, query);
        const stats = computeStats(facts, {
          since,
          service: values.service as string | undefined,
          severity: values.severity as string | undefined,
        });
        if (values.html) writeFileSync(values.html as string, renderStatsHtml(stats, new Date().toISOString()));
        io.out(values.json ? JSON.stringify(stats, null, 2) : renderStatsText(stats));
        if (values.html) io.err(`wrote ${values.html as string}`);
        return EXIT.ok;
      };
    },
  },
  watch: {
    usage: 'watch <reportId> [--interval 2s] [--json]',
    summary: 'print changes to a report until it ends (or Ctrl-C)',
    help: `Polls a report and prints what changes (status, jeopardy, deadline, history, rejected inputs)
until it is closed or cancelled, or until Ctrl-C. --json prints each new version as one JSON line.

  starter watch R-1001
  starter watch R-1001 --interval 10s`,
    options: { interval: { type: 'string' }, json: { type: 'boolean' } },
    prepare(args, values, io) {
      const [reportId] = positional(args, 1, '<reportId>');
      validateReportId(reportId!);
      const intervalMs = values.interval === undefined ? 2_000 : parseDuration(String(values.interval));
      if (intervalMs === undefined || intervalMs < 100)
        throw new SpdrInvalidInputError(
          `--interval: expected a duration of at least 100ms such as "2s" or "1m" (got ${JSON.stringify(values.interval)})`,
        );
      return async (spdr) => {
        const last = await spdr.watch(
          reportId!,
          (report, previous) => {
            if (values.json) io.out(JSON.stringify(report));
            else for (const line of describeChanges(report, previous)) io.out(line);
          },
          { intervalMs, signal: io.interrupt },
        );
        if (!values.json && last)
          io.out(io.interrupt.aborted ? `stopped watching ${reportId} (${last.status})` : `${reportId} ended: ${last.status}`);
        return EXIT.ok;
      };
    },
  },
};

function generalUsage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.split(' [')[0]!.length));
  return [
    'usage: starter <command> [arguments] [--help]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.split(' [')[0]!.padEnd(width)}  ${c.summary}`),
    '',
    'starter <command> --help shows the options and examples of a command.',
    '',
    CONNECTION_HELP,
    EXIT_HELP,
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [`usage: starter ${command.usage}`, '', command.help, '', CONNECTION_HELP, EXIT_HELP].join('\n');
}

function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof SpdrInvalidInputError) return EXIT.badInput;
  if (err instanceof SpdrNotFoundError) return EXIT.unknownReport;
  if (err instanceof SpdrUnreachableError) return EXIT.unreachable;
  if (err instanceof SpdrRejectedError) return EXIT.rejected;
  return EXIT.other;
}

/** The error with its causes (the SDK wraps the server's answer, e.g. "Failed to start Workflow"), and what to do about a refusal. */
function describeFailure(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (!parts.some((p) => p.includes(e.message))) parts.push(e.message);
  const text = parts.join(': ') || String(err);
  return /PERMISSION_DENIED/.test(text)
    ? `${text} (the cluster refused these credentials: set TEMPORAL_API_KEY, or SPDR_TEMPORAL_API_KEY_FILE to a token with write access such as .data/cluster/auth/writer.token)`
    : text;
}

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : COMMANDS[topic];
    (name === undefined ? io.err : io.out)(command ? commandHelp(command) : generalUsage());
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`starter: unknown command "${name}"\n\n${generalUsage()}`);
    return EXIT.badInput;
  }
  let spdr: SpdrClient | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (parsed.values.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const run = command.prepare(parsed.positionals, parsed.values, io);
    spdr = await SpdrClient.connect(io.env);
    return await run(spdr);
  } catch (err) {
    io.err(`starter ${name}: ${describeFailure(err)}`);
    if (err instanceof UsageError) io.err(`usage: starter ${command.usage}  (starter ${name} --help)`);
    return exitCodeOf(err);
  } finally {
    await spdr?.close().catch(() => undefined);
  }
}

/** The process entry point (npm script `starter`, bin `spdr-starter`). */
export function runCli(): void {
  const interrupt = new AbortController();
  const argv = process.argv.slice(2);
  // Only watch ends gracefully on Ctrl-C; every other command keeps Node's default (exit at once).
  if (argv[0] === 'watch') process.once('SIGINT', () => interrupt.abort());
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    interrupt: interrupt.signal,
  };
  void main(argv, io).then((code) => process.exit(code));
}

if (require.main === module) runCli();
