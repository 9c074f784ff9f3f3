/**
 * Plain-text views of reports for terminals (the starter CLI's `show`, `list` and `watch`).
 * Pure functions of the report, so they can be tested and reused by other tools.
 */
import { oneLine as singleLine, type Report } from '../domain';
import type { ReportSummary } from './summary';

const oneLine = (text: string | undefined): string => singleLine(text ?? '');

/** Fixed-width columns; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string[] {
  const cells = [headers, ...rows.map((r) => r.map((c) => oneLine(c === undefined ? '' : String(c)) || '-'))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

const section = (title: string, lines: string[]): string[] => [
  '',
  title,
  ...(lines.length > 0 ? lines.map((l) => `  ${l}`) : ['  (none)']),
];

/** The page's header: status, severity, service, times, jeopardy and clocks, and how it ended. */
function headerRows(report: Report): (string | number | undefined)[][] {
  const j = report.jeopardy;
  const service = report.service.name ? `${report.service.id} (${report.service.name})` : report.service.id;
  return [
    ['status', report.status],
    ['severity', report.severity],
    ['service', service],
    ['description', report.description],
    ['detected', report.detectedAt],
    ['opened', `${report.openedAt} by ${report.openedBy}`],
    [
      'jeopardy',
      `${j.state} · escalation level ${j.escalationLevel} · deadline ${j.deadline}${j.pausedSince ? ` · clock paused since ${j.pausedSince}` : ''}`,
    ],
    ...(['response', 'update'] as const).flatMap((name) => {
      const clock = j.clocks?.[name];
      return clock ? [[`${name} clock`, `${clock.state} · deadline ${clock.deadline}${clock.metAt ? ` · met ${clock.metAt}` : ''}`]] : [];
    }),
    ...(report.parentReportId ? [['group', `child of ${report.parentReportId} (clocks paused; the parent escalates)`]] : []),
    ...((report.children ?? []).length > 0 ? [['group', `parent of ${report.children!.length}: ${report.children!.join(', ')}`]] : []),
    ...((report.invitedChildren ?? []).length > 0 ? [['asked to join', report.invitedChildren!.join(', ')]] : []),
    ...(report.correlationKey ? [['correlation key', report.correlationKey]] : []),
    ...(report.clearance ? [['cleared', `${report.clearance.at} by ${report.clearance.by}: ${report.clearance.resolution}`]] : []),
    ...(report.cancellation
      ? [
          [
            'cancelled',
            `${report.cancellation.at} by ${report.cancellation.by}: ${report.cancellation.reason}${report.cancellation.note ? ` (${report.cancellation.note})` : ''}`,
          ],
        ]
      : []),
    ...(report.closure ? [['closed', `${report.closure.at} by ${report.closure.by} (${report.closure.how})`]] : []),
  ];
}

/** The report as a human-readable page: header, jeopardy, tasks, trouble reports, partner requests, last analysis, rejected inputs. */
export function renderReport(report: Report): string {
  const lines = [`Report ${report.reportId}`, ...table(['', ''], headerRows(report)).slice(1)];
  lines.push(
    ...section(
      'Tasks',
      report.tasks.length === 0
        ? []
        : table(
            ['TASK', 'KIND', 'ASSIGNEE', 'STATUS', 'DUE', 'DEPENDS ON'],
            report.tasks.map((t) => [t.taskId, t.kind, t.assignee, t.status, t.due, t.dependsOn.join(',')]),
          ),
    ),
    ...((report.children ?? []).length > 0
      ? section(
          `Children (${report.children!.length})`,
          report.children!.map((child) => `└ ${child}`),
        )
      : []),
    ...section(
      'Trouble reports',
      report.troubleReports.length === 0
        ? []
        : table(
            ['KEY', 'RESOURCE', 'TICKET', 'STATUS'],
            report.troubleReports.map((r) => [r.key, r.resourceId, r.ticketId, r.status]),
          ),
    ),
    ...section(
      'Partner requests',
      report.partnerRequests.length === 0
        ? []
        : table(
            ['KEY', 'PARTY', 'RESOURCE', 'STATUS', 'DUE'],
            report.partnerRequests.map((r) => [r.key, r.partyId, r.resourceId, r.status, r.due]),
          ),
    ),
  );
  const last = report.analysis[report.analysis.length - 1];
  const cause = last?.rootCause
    ? ` [root cause: ${last.rootCause.domain}${last.rootCause.resourceId ? ` ${last.rootCause.resourceId}` : ''}${last.rootCause.partyId ? ` (${last.rootCause.partyId})` : ''}]`
    : '';
  lines.push(
    ...section(
      `Last analysis (${report.analysis.length} in total)`,
      last ? [`${last.at} ${last.author}: ${oneLine(last.summary)}${cause}`] : [],
    ),
  );
  const rejected = report.rejectedInputs;
  const latest = rejected[rejected.length - 1];
  lines.push(
    '',
    `Rejected inputs: ${rejected.length}${latest ? ` (latest: ${latest.message} at ${latest.at}: ${oneLine(latest.reason)})` : ''}`,
  );
  if (report.outsideFailures.length > 0) lines.push(`Outside-system failures: ${report.outsideFailures.length}`);
  return lines.join('\n');
}

/**
 * The list as a tree: each grouped child right under its parent ("└ R-1002"); a child whose
 * parent is not in the list names it ("R-1002 (in R-1001)"). Otherwise the list's own order.
 */
export function groupTree(summaries: readonly ReportSummary[]): { summary: ReportSummary; label: string }[] {
  const listed = new Set(summaries.map((s) => s.reportId));
  const childrenOf = new Map<string, ReportSummary[]>();
  for (const s of summaries)
    if (s.parentReportId !== undefined && listed.has(s.parentReportId))
      childrenOf.set(s.parentReportId, [...(childrenOf.get(s.parentReportId) ?? []), s]);
  const rows: { summary: ReportSummary; label: string }[] = [];
  for (const s of summaries) {
    if (s.parentReportId !== undefined && listed.has(s.parentReportId)) continue;
    rows.push({ summary: s, label: s.parentReportId !== undefined ? `${s.reportId} (in ${s.parentReportId})` : s.reportId });
    for (const child of childrenOf.get(s.reportId) ?? []) rows.push({ summary: child, label: `└ ${child.reportId}` });
  }
  return rows;
}

/** `list` as a table, grouped children under their parent. */
export function renderReportList(summaries: readonly ReportSummary[]): string {
  if (summaries.length === 0) return 'no reports match';
  return table(
    ['REPORT', 'STATUS', 'SEVERITY', 'JEOPARDY', 'LEVEL', 'DEADLINE', 'SERVICE', 'ASSIGNEES'],
    groupTree(summaries).map(({ summary: s, label }) => [
      label,
      s.status,
      s.severity,
      s.jeopardy,
      s.escalationLevel,
      s.deadline,
      s.serviceId,
      s.assignees.join(','),
    ]),
  ).join('\n');
}

/** What changed between two versions of a report, as lines for `watch`; the first version gets a one-line summary. */
export function describeChanges(next: Report, previous: Report | undefined): string[] {
  const j = next.jeopardy;
  if (!previous) {
    return [
      `${next.reportId}: ${next.status} · ${next.severity} · jeopardy ${j.state} (level ${j.escalationLevel}) · deadline ${j.deadline}`,
    ];
  }
  const lines: string[] = [];
  const p = previous.jeopardy;
  if (previous.status !== next.status) lines.push(`status ${previous.status} -> ${next.status}`);
  if (p.state !== j.state || p.escalationLevel !== j.escalationLevel)
    lines.push(`jeopardy ${p.state} (level ${p.escalationLevel}) -> ${j.state} (level ${j.escalationLevel})`);
  if (p.deadline !== j.deadline) lines.push(`deadline ${p.deadline} -> ${j.deadline}`);
  for (const h of next.history.slice(previous.history.length)) {
    lines.push(`${h.at} ${h.by} ${h.action}${h.detail ? `: ${oneLine(h.detail)}` : ''}${h.reason ? ` (${oneLine(h.reason)})` : ''}`);
  }
  for (const r of next.rejectedInputs.slice(previous.rejectedInputs.length))
    lines.push(`${r.at} rejected ${r.message}: ${oneLine(r.reason)}`);
  return lines;
}
