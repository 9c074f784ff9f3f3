#!/usr/bin/env node
/**
 * `starter`: open and steer reports from scripts and terminals, on top of the typed client
 * (`src/client`). Input is validated before anything is sent; each kind of failure has its own
 * exit code so scripts can react (see EXIT).
 */
import { writeFileSync } from 'node:fs';
import { computeStats, fetchStatsFacts, renderStatsHtml, renderStatsText, statsQuery } from './client/stats';
import { parseArgs } from 'node:util';
import { SpdrClient, SpdrInvalidInputError, SpdrNotFoundError, SpdrRejectedError, SpdrUnreachableError } from './client';
import { parseDuration } from './domain';
import { CONNECTION_HELP, EXIT, EXIT_HELP, UsageError, positional, type Command, type Io } from './cli/command';
import { maintenanceCommand } from './cli/maintenance';
import { listCommand, openCommand, showCommand, watchCommand } from './cli/reports';
import { sendCommand } from './cli/send';

export { EXIT } from './cli/command';

const COMMANDS: Record<string, Command> = {
  maintenance: maintenanceCommand,
  open: openCommand,
  signal: sendCommand('signal'),
  update: sendCommand('update'),
  show: showCommand,
  list: listCommand,
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
  watch: watchCommand,
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
