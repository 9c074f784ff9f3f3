/**
 * The visibility query behind `list` and `starter list`: filters become Spdr* clauses, and no
 * filter value can break out of its string literal.
 */
import { describe, expect, it } from 'vitest';
import { SpdrInvalidInputError, buildListQuery, type ReportFilter } from '../../src/client';

describe('buildListQuery', () => {
  it('lists open reports of the report workflow type when no filter is given', () => {
    expect(buildListQuery()).toBe(`WorkflowType = 'degradationReport' AND ExecutionStatus = 'Running'`);
  });

  it('combines severity and jeopardy with AND, one value as =, several as IN', () => {
    expect(buildListQuery({ severity: 'critical', jeopardy: ['inJeopardy', 'breached'] })).toBe(
      `WorkflowType = 'degradationReport' AND ExecutionStatus = 'Running' AND SpdrSeverity = 'critical' AND SpdrJeopardy IN ('inJeopardy', 'breached')`,
    );
  });

  it('filters by status, service and assignee', () => {
    expect(buildListQuery({ status: 'pending', serviceId: 'svc-volte-fra1', assignee: 'tx.team' })).toBe(
      `WorkflowType = 'degradationReport' AND ExecutionStatus = 'Running' AND SpdrStatus = 'pending' AND SpdrServiceId = 'svc-volte-fra1' AND SpdrAssignee = 'tx.team'`,
    );
  });

  it('includes ended reports when asked, or when every status asked for is final', () => {
    expect(buildListQuery({ openOnly: false, severity: 'minor' })).toBe(`WorkflowType = 'degradationReport' AND SpdrSeverity = 'minor'`);
    expect(buildListQuery({ status: ['closed', 'cancelled'] })).toBe(
      `WorkflowType = 'degradationReport' AND SpdrStatus IN ('closed', 'cancelled')`,
    );
    expect(buildListQuery({ status: ['cleared', 'closed'] })).toContain(`ExecutionStatus = 'Running'`);
  });

  it('collapses repeated values', () => {
    expect(buildListQuery({ severity: ['major', 'major'] })).toContain(`SpdrSeverity = 'major'`);
  });

  const refused: [string, ReportFilter, RegExp][] = [
    ['a severity outside its enum', { severity: 'urgent' as never }, /^filter\.severity: .*"urgent"/],
    ['a jeopardy state outside its enum', { jeopardy: ['breached', "breached' OR WorkflowType != '" as never] }, /^filter\.jeopardy: /],
    ['a status outside its enum', { status: 'open' as never }, /^filter\.status: /],
    ['a quote in a service id', { serviceId: "svc' OR SpdrSeverity = 'minor" }, /^filter\.serviceId: use only letters/],
    ['a double quote in a service id', { serviceId: 'svc"x' }, /^filter\.serviceId: /],
    ['a backslash in an assignee', { assignee: 'tx\\team' }, /^filter\.assignee: use only letters/],
    ['a quote in an assignee', { assignee: "o'brien" }, /^filter\.assignee: /],
    ['a newline in an assignee', { assignee: 'tx\nteam' }, /^filter\.assignee: /],
    ['a parenthesis in an assignee', { assignee: "x') OR ('1" }, /^filter\.assignee: /],
    ['an empty list', { severity: [] }, /^filter\.severity: expected 1 to 20 values/],
    ['an unknown field', { owner: 'x' } as never, /^filter: unknown field\(s\) owner/],
    ['a non-boolean openOnly', { openOnly: 'yes' as never }, /^filter\.openOnly: /],
  ];
  it.each(refused)('refuses %s, naming the field', (_what, filter, message) => {
    expect(() => buildListQuery(filter)).toThrow(SpdrInvalidInputError);
    expect(() => buildListQuery(filter)).toThrow(message);
  });

  it('accepts assignees with spaces, e-mail addresses and non-ASCII letters inside the quotes', () => {
    expect(buildListQuery({ assignee: 'Jürgen Müller' })).toContain(`SpdrAssignee = 'Jürgen Müller'`);
    expect(buildListQuery({ assignee: 'noc.anna@example.com' })).toContain(`SpdrAssignee = 'noc.anna@example.com'`);
  });

  it('never lets a value end its string literal (property over printable input)', () => {
    const samples = ["'", "\\'", "a'b", '"', '`', '\\', "' OR '1'='1", 'x\u0000y', '\u2028'];
    for (const value of samples) {
      for (const field of ['serviceId', 'assignee'] as const) {
        let query: string | undefined;
        try {
          query = buildListQuery({ [field]: value });
        } catch (err) {
          expect(err).toBeInstanceOf(SpdrInvalidInputError);
        }
        if (query !== undefined) expect(query.split("'").length % 2).toBe(1);
      }
    }
  });
});
