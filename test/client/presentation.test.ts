/** What a report shows before its first workflow task (summary, search attributes) and in the terminal. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeChanges,
  initialSearchAttributesOf,
  renderReport,
  renderReportList,
  staticDetailsOf,
  staticSummaryOf,
} from '../../src/client';
import { openReport, parseStartInput, receive, type StartInput } from '../../src/domain';

function example(file: string): StartInput {
  const parsed = parseStartInput(JSON.parse(readFileSync(resolve(__dirname, '../../examples', file), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

const T0 = Date.parse('2026-11-25T10:05:00Z');

describe('start options', () => {
  it('the static summary is one line: severity, service and description', () => {
    expect(staticSummaryOf(example('critical-latency.json'))).toBe(
      'critical · svc-volte-fra1 (VoLTE core Frankfurt 1) · Call setup latency p95 above 3 s',
    );
  });

  it('a long or multi-line description is cut to one line', () => {
    const input = { ...example('false-alarm.json'), description: `first line\n${'x'.repeat(400)}` };
    const summary = staticSummaryOf(input);
    expect(summary).not.toContain('\n');
    expect(summary.length).toBeLessThan(220);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('details list the degraded KPIs and partner-owned resources', () => {
    const details = staticDetailsOf(example('partner-fibre-cut.json'));
    expect(details).toContain('- packetLoss: observed 2.4 %, threshold 0.5 %');
    expect(details).toContain('FIB-9 → acme-transport');
  });

  it('details hold no markdown table (Temporal Web renders them without cell padding: "thresholdobservedunit")', () => {
    for (const file of ['critical-latency.json', 'partner-fibre-cut.json', 'false-alarm.json', 'minimal.json']) {
      const details = staticDetailsOf({ ...example(file), correlationKey: 'fibre-cut-FRA-17' });
      expect(details).not.toMatch(/^\s*\|/m);
      expect(details).toContain('Correlation key: fibre-cut-FRA-17');
    }
  });

  it('initial search attributes make the report findable by status, severity, jeopardy and service', () => {
    const pairs = Object.fromEntries(initialSearchAttributesOf(example('partner-fibre-cut.json')).map((p) => [p.key.name, p.value]));
    expect(pairs).toEqual({
      SpdrStatus: 'acknowledged',
      SpdrSeverity: 'major',
      SpdrJeopardy: 'onTrack',
      SpdrServiceId: 'svc-ent-vpn-muc',
      SpdrEscalationLevel: 0,
    });
  });
});

describe('terminal rendering', () => {
  const opened = openReport(example('critical-latency.json'), T0).report;
  const analysed = receive(
    opened,
    {
      name: 'addAnalysis',
      payload: { author: 'noc.anna', summary: 'Packet loss on PE-7 uplink', rootCause: { domain: 'resource', resourceId: 'PE-7' } },
    },
    T0 + 60_000,
  ).report;
  const refused = receive(analysed, { name: 'confirmClosure', payload: { by: 'noc.anna' } }, T0 + 120_000).report;

  it('shows status, severity, service, jeopardy, tasks, trouble reports, partner requests, last analysis and rejected inputs', () => {
    const text = renderReport(refused);
    for (const expected of [
      'Report R-1001',
      'status',
      'critical',
      'svc-volte-fra1 (VoLTE core Frankfurt 1)',
      'escalation level 0 · deadline',
      'Tasks',
      'Trouble reports',
      'Partner requests',
      'PE-7',
      'noc.anna: Packet loss on PE-7 uplink [root cause: resource PE-7]',
      'Rejected inputs: 1 (latest: confirmClosure',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('describes what changed between two versions for watch', () => {
    expect(describeChanges(opened, undefined)).toEqual([
      expect.stringMatching(/^R-1001: acknowledged · critical · jeopardy onTrack \(level 0\) · deadline /),
    ]);
    const lines = describeChanges(refused, opened);
    expect(lines.some((l) => l.includes('noc.anna analysisAdded'))).toBe(true);
    expect(lines.some((l) => l.includes('rejected confirmClosure'))).toBe(true);
  });

  it('lists summaries as a table, or says that nothing matches', () => {
    expect(renderReportList([])).toBe('no reports match');
    const text = renderReportList([
      {
        reportId: 'R-1',
        workflowId: 'spdr-R-1',
        runId: 'r',
        status: 'pending',
        severity: 'major',
        jeopardy: 'breached',
        serviceId: 'svc-1',
        assignees: ['a', 'b'],
        escalationLevel: 2,
        deadline: '2026-11-25T12:00:00.000Z',
        openedAt: '2026-11-25T10:00:00.000Z',
        executionStatus: 'RUNNING',
      },
    ]);
    expect(text.split('\n')[0]).toMatch(/^REPORT\s+STATUS\s+SEVERITY\s+JEOPARDY\s+LEVEL\s+DEADLINE\s+SERVICE\s+ASSIGNEES$/);
    expect(text).toMatch(/R-1\s+pending\s+major\s+breached\s+2\s+2026-11-25T12:00:00.000Z\s+svc-1\s+a,b/);
  });

  it('lists a group as a tree: each child under its parent, a child whose parent is not listed names it', () => {
    const row = (reportId: string, parentReportId?: string) => ({
      reportId,
      workflowId: `spdr-${reportId}`,
      runId: 'r',
      status: 'acknowledged' as const,
      assignees: [],
      openedAt: '2026-11-25T10:00:00.000Z',
      executionStatus: 'RUNNING',
      ...(parentReportId ? { parentReportId } : {}),
    });
    const text = renderReportList([row('R-1003', 'R-1001'), row('R-1001'), row('R-1002', 'R-1001'), row('R-2002', 'R-2001'), row('R-9')]);
    expect(text.split('\n').map((line) => line.split(/\s{2,}/)[0])).toEqual([
      'REPORT',
      'R-1001',
      '└ R-1003',
      '└ R-1002',
      'R-2002 (in R-2001)',
      'R-9',
    ]);
  });

  it('show names the parent of a child and the children of a parent', () => {
    const parent = { ...opened, children: ['R-1002', 'R-1003'] };
    expect(renderReport(parent)).toContain('parent of 2: R-1002, R-1003');
    expect(renderReport(parent)).toMatch(/Children \(2\)\n {2}└ R-1002\n {2}└ R-1003/);
    expect(renderReport({ ...opened, parentReportId: 'R-1001' })).toContain('child of R-1001');
  });
});
