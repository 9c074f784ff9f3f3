/**
 * Grouping rules of the core, given / when / then, with the links between reports delivered by a
 * small in-memory "network" (what the workflow shell does with the `groupLink` effect).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCommand, tick, type Effect, type EffectOf, type Report } from '../../src/domain';
import { HOUR, MINUTE, T0, accept, msg, ofType, open, refuse } from './fixtures';

/** Reports by id, and the links in flight between them. */
class Network {
  reports = new Map<string, Report>();
  inFlight: EffectOf<'groupLink'>[] = [];
  /** Escalations and notices sent, per report. */
  sent: Effect[] = [];

  constructor(ids: string[], at = T0) {
    for (const id of ids) this.reports.set(id, open({ reportId: id }, at));
  }

  get(id: string): Report {
    return this.reports.get(id)!;
  }

  /** Applies an operator message; answers the refusal reason, if any. */
  send(id: string, command: Parameters<typeof applyCommand>[1], now: number): string | undefined {
    const result = applyCommand(this.get(id), command, now);
    if (!result.ok) return result.reason;
    this.take(id, result.report, result.effects);
    return undefined;
  }

  take(id: string, report: Report, effects: Effect[]): void {
    this.reports.set(id, report);
    for (const effect of effects) {
      if (effect.type === 'groupLink') this.inFlight.push(effect);
      else this.sent.push(effect);
    }
  }

  /**
   * Delivers links (in order, or in the order `pick` chooses) until none is in flight. Links from
   * one report to another keep their order, as in the shell (one lane per linked report).
   */
  deliver(now: number, pick: (n: number) => number = () => 0): void {
    for (let guard = 0; this.inFlight.length > 0 && guard < 10_000; guard++) {
      const chosen = this.inFlight[pick(this.inFlight.length)];
      const at = this.inFlight.findIndex((l) => l.reportId === chosen.reportId && l.to === chosen.to);
      const [link] = this.inFlight.splice(at, 1);
      const target = this.reports.get(link.to);
      // A report that is not running (unknown id) refuses a join, as the shell does when the signal fails.
      if (!target || target.status === 'closed' || target.status === 'cancelled') {
        if (link.link.op === 'join')
          this.send(
            link.reportId,
            { name: 'groupLink', payload: { from: link.to, op: 'refused', reason: `no open report ${link.to}` } },
            now,
          );
        if (link.link.op === 'joined')
          this.send(
            link.reportId,
            { name: 'groupLink', payload: { from: link.to, op: 'release', reason: `no open report ${link.to}` } },
            now,
          );
        continue;
      }
      const result = applyCommand(target, { name: 'groupLink', payload: link.link }, now);
      if (result.ok) this.take(link.to, result.report, result.effects);
    }
  }

  tick(now: number): void {
    for (const [id, report] of this.reports) {
      const outcome = tick(report, now);
      this.take(id, outcome.report, outcome.effects);
    }
  }
}

const group = (children: string[]) => msg('group', { by: 'noc.anna', children, reason: 'same fibre cut' });

describe('group / ungroup', () => {
  it('the children join the parent: parentReportId on each child, children[] on the parent', () => {
    const net = new Network(['R-1001', 'R-1002', 'R-1003']);
    expect(net.send('R-1001', group(['R-1002', 'R-1003']), T0 + MINUTE)).toBeUndefined();
    expect(net.get('R-1001').invitedChildren).toEqual(['R-1002', 'R-1003']);
    net.deliver(T0 + MINUTE);
    expect(net.get('R-1001').children).toEqual(['R-1002', 'R-1003']);
    expect(net.get('R-1001').invitedChildren).toBeUndefined();
    expect(net.get('R-1002').parentReportId).toBe('R-1001');
    expect(net.get('R-1003').parentReportId).toBe('R-1001');
    expect(net.get('R-1002').status).toBe('acknowledged');
    expect(net.get('R-1002').history.at(-1)).toMatchObject({ action: 'joinedGroup', by: 'noc.anna', reason: 'same fibre cut' });
  });

  it('the parent itself, a duplicate, a member already in the group: refused synchronously with the reason', () => {
    const parent = open({ reportId: 'R-1001' });
    expect(refuse(parent, group(['R-1001']), T0)).toBe('children: a report cannot be grouped under itself (R-1001)');
    expect(refuse(parent, group(['R-1002', 'R-1002']), T0)).toMatch(/children: each child at most once/);
    expect(refuse(parent, msg('group', { by: 'noc.anna', children: [], reason: 'x' }), T0)).toMatch(/children/);
    const asked = accept(parent, group(['R-1002']), T0).report;
    expect(refuse(asked, group(['R-1002']), T0)).toBe('children: R-1002 is already in this group');
    expect(refuse(parent, msg('ungroup', { by: 'noc.anna', children: ['R-1009'], reason: 'x' }), T0)).toBe(
      'children: R-1009 is not in this group',
    );
  });

  it('a child already grouped elsewhere, a final child, an unknown report: refused, the reason recorded on the parent', () => {
    const net = new Network(['R-1', 'R-2', 'R-3', 'R-4']);
    net.send('R-1', group(['R-3']), T0);
    net.deliver(T0);
    net.send('R-4', msg('cancel', { by: 'noc.anna', reason: 'duplicate' }), T0);
    net.send('R-2', group(['R-3', 'R-4', 'R-404']), T0 + MINUTE);
    net.deliver(T0 + MINUTE);
    const reasons = net.get('R-2').rejectedInputs.map((r) => [r.message, r.reason]);
    expect(reasons.sort()).toEqual([
      ['group', 'R-3 refused: R-3 is already grouped under R-1'],
      ['group', 'R-4 refused: no open report R-4'],
      ['group', 'R-404 refused: no open report R-404'],
    ]);
    expect(net.get('R-2').children).toBeUndefined();
    expect(net.get('R-2').invitedChildren).toBeUndefined();
    expect(net.get('R-3').parentReportId).toBe('R-1');
  });

  it('a parent cannot itself be a child, and a child cannot be a parent (one level of grouping)', () => {
    const net = new Network(['R-1', 'R-2', 'R-3']);
    net.send('R-1', group(['R-2']), T0);
    net.deliver(T0);
    expect(net.send('R-2', group(['R-3']), T0)).toBe('report R-2 is itself grouped under R-1');
    net.send('R-3', group(['R-1']), T0);
    net.deliver(T0);
    expect(net.get('R-3').rejectedInputs.map((r) => r.reason)).toEqual(['R-1 refused: R-1 is itself the parent of a group']);
  });

  it('ungroup: the child leaves, its clock runs again; the parent keeps the others', () => {
    const net = new Network(['R-1', 'R-2', 'R-3']);
    net.send('R-1', group(['R-2', 'R-3']), T0);
    net.deliver(T0);
    expect(net.send('R-1', msg('ungroup', { by: 'noc.anna', children: ['R-2'], reason: 'different cause' }), T0 + HOUR)).toBeUndefined();
    net.deliver(T0 + HOUR);
    expect(net.get('R-1').children).toEqual(['R-3']);
    expect(net.get('R-2').parentReportId).toBeUndefined();
    expect(net.get('R-2').history.at(-1)).toMatchObject({ action: 'leftGroup', reason: 'different cause' });
    // Grouped for exactly one hour: the deadline moved by exactly that.
    const child = applyCommand(net.get('R-2'), msg('addAnalysis', { author: 'x', summary: 'y' }), T0 + 2 * HOUR);
    expect(child.ok && child.report.jeopardy.pausedMs).toBe(HOUR);
    expect(child.ok && child.report.jeopardy.deadline).toBe(new Date(T0 + 4 * HOUR + HOUR).toISOString());
  });

  it('a join from a report that never invited the child is undone by that report', () => {
    const net = new Network(['R-1', 'R-2']);
    // A forged join naming R-1 as the parent.
    const forged = accept(net.get('R-2'), { name: 'groupLink', payload: { from: 'R-1', op: 'join' } }, T0);
    net.take('R-2', forged.report, forged.effects);
    expect(net.get('R-2').parentReportId).toBe('R-1');
    net.deliver(T0);
    expect(net.get('R-2').parentReportId).toBeUndefined();
    expect(net.get('R-1').children).toBeUndefined();
  });

  it('a link that does not come from the report it claims to be linked to is refused', () => {
    const net = new Network(['R-1', 'R-2', 'R-9']);
    net.send('R-1', group(['R-2']), T0);
    net.deliver(T0);
    const result = applyCommand(net.get('R-2'), { name: 'groupLink', payload: { from: 'R-9', op: 'clear', resolution: 'x' } }, T0);
    expect(result).toEqual({ ok: false, reason: "clear from R-9: not this report's parent (R-1)" });
  });
});

describe('while grouped', () => {
  it('a child keeps its status, its clocks pause exactly like pending, it sends no escalation; the parent escalates for all, naming the children', () => {
    const net = new Network(['R-1001', 'R-1002', 'R-1003']);
    net.send('R-1002', msg('setStatus', { by: 'noc.anna', status: 'inProgress', reason: 'working' }), T0);
    net.send('R-1001', group(['R-1002', 'R-1003']), T0 + 30 * MINUTE);
    net.deliver(T0 + 30 * MINUTE);
    expect(net.get('R-1002').status).toBe('inProgress');
    for (let t = T0 + 30 * MINUTE; t <= T0 + 10 * HOUR; t += 5 * MINUTE) net.tick(t);
    const byReport = (id: string) => net.sent.filter((e) => 'reportId' in e && e.reportId === id);
    expect(byReport('R-1002')).toEqual([]);
    expect(byReport('R-1003')).toEqual([]);
    const escalations = ofType(net.sent, 'notifyEscalation');
    expect(escalations.map((e) => e.level)).toEqual([1, 2, 3, 4]);
    for (const e of escalations) {
      expect(e.reportId).toBe('R-1001');
      expect(e.children).toEqual(['R-1002', 'R-1003']);
      expect(e.detail).toContain('for the group of R-1001 with R-1002, R-1003');
    }
    expect(ofType(net.sent, 'notifyAssignee')[0].children).toEqual(['R-1002', 'R-1003']);
    const child = net.get('R-1002');
    expect(child.jeopardy.pausedSince).toBe(new Date(T0 + 30 * MINUTE).toISOString());
    expect(child.jeopardy.state).toBe('onTrack');
    expect(child.jeopardy.deadline).toBe(new Date(T0 + 4 * HOUR + (10 * HOUR - 30 * MINUTE)).toISOString());
  });

  it('a grouped child sends no overdue-task escalation while grouped', () => {
    const net = new Network(['R-1', 'R-2']);
    net.send('R-2', msg('assign', { by: 'noc.anna', taskId: 't1', kind: 'analysis', assignee: 'tx', due: '30m' }), T0);
    net.send('R-1', group(['R-2']), T0 + MINUTE);
    net.deliver(T0 + MINUTE);
    net.tick(T0 + HOUR);
    expect(net.sent.filter((e) => e.type === 'notifyEscalation' && e.reportId === 'R-2')).toEqual([]);
  });
});

describe('the parent decides for its children', () => {
  function grouped(): Network {
    const net = new Network(['R-1001', 'R-1002', 'R-1003']);
    net.send('R-1001', group(['R-1002', 'R-1003']), T0);
    net.deliver(T0);
    return net;
  }

  it('clearing the parent clears every child ("cleared with parent R-1001"), the Close process informed once per report', () => {
    const net = grouped();
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Fibre spliced' }), T0 + HOUR);
    net.deliver(T0 + HOUR);
    expect(net.get('R-1002').status).toBe('cleared');
    expect(net.get('R-1002').clearance).toMatchObject({ by: 'noc.anna', resolution: 'cleared with parent R-1001' });
    const informed = ofType(net.sent, 'informClose').map((e) => e.reportId);
    expect(informed.sort()).toEqual(['R-1001', 'R-1002', 'R-1003']);
    // Closing the parent closes them.
    net.send('R-1001', msg('confirmClosure', { by: 'close.process' }), T0 + 2 * HOUR);
    net.deliver(T0 + 2 * HOUR);
    expect(['R-1001', 'R-1002', 'R-1003'].map((id) => net.get(id).status)).toEqual(['closed', 'closed', 'closed']);
    expect(net.get('R-1002').closure).toMatchObject({ how: 'confirmed', note: 'closed with parent R-1001' });
  });

  it('a parent closed by its acceptance window closes its children', () => {
    const net = grouped();
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Fibre spliced' }), T0 + HOUR);
    net.deliver(T0 + HOUR);
    net.tick(T0 + HOUR + 72 * HOUR);
    net.deliver(T0 + HOUR + 72 * HOUR);
    expect(['R-1001', 'R-1002', 'R-1003'].map((id) => net.get(id).status)).toEqual(['closed', 'closed', 'closed']);
  });

  it('cancelling the parent releases the children: ungrouped, status kept, clocks running again', () => {
    const net = grouped();
    net.send('R-1001', msg('cancel', { by: 'noc.anna', reason: 'falseServiceFailureEvent' }), T0 + HOUR);
    net.deliver(T0 + HOUR);
    expect(net.get('R-1002')).toMatchObject({ status: 'acknowledged' });
    expect(net.get('R-1002').parentReportId).toBeUndefined();
    expect(net.get('R-1002').jeopardy.pausedSince).toBeUndefined();
    expect(net.get('R-1001').children).toBeUndefined();
    net.tick(T0 + 4 * HOUR); // 3 h active: 50% and 75% of the child's own ladder
    expect(
      ofType(net.sent, 'notifyEscalation')
        .filter((e) => e.reportId === 'R-1002')
        .map((e) => e.level),
    ).toEqual([1]);
  });

  it('reopening the parent (rejected clearance, then a recurrence) reopens the children cleared with it: inProgress, still grouped, once each', () => {
    const net = grouped();
    net.send('R-1002', msg('setStatus', { by: 'noc.anna', status: 'inProgress', reason: 'working' }), T0 + 30 * MINUTE);
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Fibre spliced' }), T0 + HOUR);
    net.deliver(T0 + HOUR);
    expect(net.send('R-1001', msg('rejectClearance', { by: 'customer', reason: 'still degraded' }), T0 + 2 * HOUR)).toBeUndefined();
    net.deliver(T0 + 2 * HOUR);
    for (const id of ['R-1002', 'R-1003']) {
      const child = net.get(id);
      expect(child).toMatchObject({ status: 'inProgress', parentReportId: 'R-1001' });
      expect(child.clearance).toBeUndefined();
      expect(child.history.at(-1)).toMatchObject({
        by: 'customer',
        action: 'statusChanged',
        fromStatus: 'cleared',
        toStatus: 'inProgress',
        reason: 'reopened with parent R-1001',
        detail: "parent's reason: still degraded",
      });
      // Still grouped: the clock stands still for the group (not for the clearance).
      expect(child.jeopardy.pausedSince).toBeDefined();
    }
    expect(net.get('R-1001').children).toEqual(['R-1002', 'R-1003']);
    // A recurrence after a second clearance reopens them again, once each.
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Spliced again' }), T0 + 3 * HOUR);
    net.deliver(T0 + 3 * HOUR);
    net.send('R-1001', msg('setStatus', { by: 'noc.bob', status: 'inProgress', reason: 'recurred' }), T0 + 4 * HOUR);
    net.deliver(T0 + 4 * HOUR);
    const reopened = net.get('R-1002').history.filter((e) => e.reason === 'reopened with parent R-1001');
    expect(reopened.map((e) => e.by)).toEqual(['customer', 'noc.bob']);
    expect(net.get('R-1003').status).toBe('inProgress');
    // Closing after the last clearance still closes them all.
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Fixed' }), T0 + 5 * HOUR);
    net.send('R-1001', msg('confirmClosure', { by: 'close.process' }), T0 + 5 * HOUR);
    net.deliver(T0 + 5 * HOUR);
    expect(['R-1001', 'R-1002', 'R-1003'].map((id) => net.get(id).status)).toEqual(['closed', 'closed', 'closed']);
  });

  it('a reopen link reopens only a child cleared with that parent', () => {
    const net = grouped();
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Fibre spliced' }), T0 + HOUR);
    net.deliver(T0 + HOUR);
    const reopen = (from: string) => applyCommand(net.get('R-1002'), { name: 'groupLink', payload: { from, op: 'reopen' } }, T0 + 2 * HOUR);
    expect(reopen('R-9')).toEqual({ ok: false, reason: "reopen from R-9: not this report's parent (R-1001)" });
    const first = reopen('R-1001');
    expect(first.ok && first.report.status).toBe('inProgress');
    if (!first.ok) return;
    // A repeat changes nothing.
    const again = applyCommand(first.report, { name: 'groupLink', payload: { from: 'R-1001', op: 'reopen' } }, T0 + 2 * HOUR);
    expect(again.ok && again.report).toBe(first.report);
  });

  it("a child cleared or cancelled on its own leaves the group; the parent's children[] follow", () => {
    const net = grouped();
    net.send('R-1002', msg('clear', { by: 'noc.bob', resolution: 'local fix' }), T0 + HOUR);
    net.send('R-1003', msg('cancel', { by: 'noc.bob', reason: 'duplicate' }), T0 + HOUR);
    net.deliver(T0 + HOUR);
    expect(net.get('R-1001').children).toBeUndefined();
    expect(net.get('R-1002').parentReportId).toBeUndefined();
    expect(net.get('R-1002').history.filter((e) => e.action === 'leftGroup')).toHaveLength(1);
    // Clearing the parent now touches neither.
    net.send('R-1001', msg('clear', { by: 'noc.anna', resolution: 'Fibre spliced' }), T0 + 2 * HOUR);
    net.deliver(T0 + 2 * HOUR);
    expect(net.get('R-1002').clearance?.resolution).toBe('local fix');
  });
});

/** How often a report went from cleared back to work (rejected clearance or recurrence). */
const reopenings = (r: Report): number => r.history.filter((e) => e.fromStatus === 'cleared' && e.toStatus === 'inProgress').length;

describe('grouping invariants (property)', () => {
  const ids = ['R-1', 'R-2', 'R-3', 'R-4'];
  // Weighted so that runs often group, clear and reopen the same parent (uniform choice almost never did).
  const op = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('group' as const),
        at: fc.constantFrom(...ids),
        children: fc.subarray(ids, { minLength: 1 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('ungroup' as const),
        at: fc.constantFrom(...ids),
        children: fc.subarray(ids, { minLength: 1 }),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constantFrom('clear' as const, 'cancel' as const, 'confirmClosure' as const, 'rejectClearance' as const, 'recur' as const),
        at: fc.constantFrom(...ids),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('deliver' as const), seed: fc.nat() }) },
  );

  it('whatever the operations and the delivery order: each child has one parent that lists it, nobody is both, no grouped child escalates', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30, size: 'max' }), (ops) => {
        const net = new Network(ids);
        let now = T0;
        for (const o of ops) {
          now += 10 * MINUTE;
          if (o.kind === 'deliver') net.deliver(now, (n) => o.seed % n);
          else if (o.kind === 'group' || o.kind === 'ungroup')
            net.send(o.at, msg(o.kind, { by: 'p', children: o.children, reason: 'r' }), now);
          else if (o.kind === 'clear') net.send(o.at, msg('clear', { by: 'p', resolution: 'r' }), now);
          else if (o.kind === 'cancel') net.send(o.at, msg('cancel', { by: 'p', reason: 'duplicate' }), now);
          else if (o.kind === 'rejectClearance') net.send(o.at, msg('rejectClearance', { by: 'p', reason: 'r' }), now);
          else if (o.kind === 'recur') net.send(o.at, msg('setStatus', { by: 'p', status: 'inProgress', reason: 'recurred' }), now);
          else net.send(o.at, msg('confirmClosure', { by: 'p' }), now);
          const before = net.sent.length;
          net.tick(now);
          for (const e of net.sent.slice(before))
            if (e.type === 'notifyEscalation') expect(net.get(e.reportId).parentReportId).toBeUndefined();
        }
        net.deliver(now);
        for (const id of ids) {
          const r = net.get(id);
          const children = r.children ?? [];
          if (r.parentReportId !== undefined) {
            expect(children).toEqual([]);
            // A closed child keeps the name of the group it was closed in, whatever the parent did later.
            if (r.status !== 'closed') expect(net.get(r.parentReportId).children ?? []).toContain(id);
            if (r.status !== 'closed') expect(r.jeopardy.pausedSince).toBeDefined();
          }
          expect(r.invitedChildren).toBeUndefined();
          // A closed parent keeps the children it had when it closed (a `left` that reaches it closed is dropped).
          if (r.status !== 'closed') for (const child of children) expect(net.get(child).parentReportId).toBe(id);
          // A child cleared with its parent stays cleared only while the parent is cleared (or closed).
          const withParent =
            r.status === 'cleared' &&
            r.parentReportId !== undefined &&
            r.clearance?.resolution === `cleared with parent ${r.parentReportId}`;
          if (withParent) expect(['cleared', 'closed']).toContain(net.get(r.parentReportId!).status);
          // Reopened with the parent at most as often as the parent was reopened.
          const reopenedWith = (p: string) => r.history.filter((e) => e.reason === `reopened with parent ${p}`).length;
          for (const p of ids) expect(reopenedWith(p)).toBeLessThanOrEqual(reopenings(net.get(p)));
        }
        for (const id of ids) {
          const r = net.get(id);
          if (r.status === 'cleared' || r.status === 'closed') continue;
          for (const child of r.children ?? []) expect(net.get(child).status).not.toBe('cleared');
        }
      }),
      { numRuns: Number(process.env.DOMAIN_PROPERTY_RUNS ?? 300) },
    );
  });
});
