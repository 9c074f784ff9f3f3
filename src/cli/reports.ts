/** `starter open`, `show`, `list` and `watch`: open a report, read one, list them, follow one until it ends. */
import {
  SpdrInvalidInputError,
  buildListQuery,
  describeChanges,
  renderReport,
  renderReportList,
  validateReportId,
  validateStartInput,
  type ReportFilter,
  type StartInputJson,
} from '../client';
import { parseDuration } from '../domain';
import { EXIT, list, parseJson, positional, readSource, type Command } from './command';

export const openCommand: Command = {
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
};

export const showCommand: Command = {
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
};

export const listCommand: Command = {
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
};

export const watchCommand: Command = {
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
};
