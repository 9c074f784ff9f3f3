import { describe, expect, it } from 'vitest';
import { applyCommand, nextWakeUp, parseStartInput, receive, recordRejection, tick, type Report } from '../../src/domain';
import { HOUR, MINUTE, T0, accept, deepFreeze, iso, msg, ofType, open, raw, refuse, startInput, tickThrough } from './fixtures';

const by = 'noc.anna';

describe('opening a report', () => {
  it('starts acknowledged with the resolution clock running from the moment it is opened', () => {
    const report = open();
    expect(report.status).toBe('acknowledged');
    expect(report.openedAt).toBe(iso(T0));
    expect(report.jeopardy).toMatchObject({ state: 'onTrack', escalationLevel: 0, deadline: iso(T0 + 4 * HOUR), pausedMs: 0 });
    expect(report.history).toEqual([expect.objectContaining({ at: iso(T0), action: 'opened', toStatus: 'acknowledged' })]);
    expect(report.rejectedInputs).toEqual([]);
    expect(nextWakeUp(report)).toBe(T0 + 2 * HOUR);
  });

  it("takes the report's own jeopardy policy from the start input", () => {
    const report = open({ severity: 'minor', jeopardyPolicy: { resolutionTarget: '6h', topLevel: 3 } });
    expect(report.jeopardy.deadline).toBe(iso(T0 + 6 * HOUR));
    expect(report.jeopardy.policy).toMatchObject({ resolutionTarget: 6 * HOUR, reEscalateEvery: 90 * MINUTE, topLevel: 3 });
  });

  it('refuses a start input with an unknown field, naming it', () => {
    const parsed = parseStartInput({ ...startInput(), severty: 'major' });
    expect(parsed).toEqual({ ok: false, reason: 'startInput: Unrecognized key: "severty"' });
  });

  it('refuses a malformed report id and a missing service', () => {
    const { service: _service, ...withoutService } = startInput({ reportId: 'R 1001' });
    const parsed = parseStartInput(withoutService);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toContain('startInput.reportId: use only letters, digits and . _ : -');
      expect(parsed.reason).toContain('startInput.service: Required');
    }
  });
});

describe('status machine', () => {
  it('records every status change with who, when, what and why', () => {
    const { report } = accept(open(), msg('setStatus', { by, status: 'held', reason: 'waiting for change window' }), T0 + MINUTE);
    expect(report.status).toBe('held');
    expect(report.history.at(-1)).toEqual({
      at: iso(T0 + MINUTE),
      by,
      action: 'statusChanged',
      fromStatus: 'acknowledged',
      toStatus: 'held',
      reason: 'waiting for change window',
    });
  });

  it('refuses setting the status the report already has', () => {
    const { report } = accept(open(), msg('setStatus', { by, status: 'pending', reason: 'asked the originator' }), T0);
    expect(refuse(report, msg('setStatus', { by, status: 'pending', reason: 'again' }), T0)).toBe('report is already pending');
  });

  it('refuses going from pending straight to held (through inProgress only)', () => {
    const { report } = accept(open(), msg('setStatus', { by, status: 'pending', reason: 'asked the originator' }), T0);
    expect(refuse(report, msg('setStatus', { by, status: 'held', reason: 'x' }), T0)).toBe('illegal transition pending -> held');
  });

  it('refuses setStatus to cleared or closed: clearing has its own message', () => {
    expect(refuse(open(), raw('setStatus', { by, status: 'cleared', reason: 'done' }), T0)).toMatch(/^setStatus\.status: Invalid option/);
  });

  it('refuses confirmClosure and rejectClearance unless the report is cleared', () => {
    expect(refuse(open(), msg('confirmClosure', { by }), T0)).toBe('only a cleared report can be closed (report is acknowledged)');
    expect(refuse(open(), msg('rejectClearance', { by, reason: 'x' }), T0)).toBe(
      "only a cleared report's clearance can be rejected (report is acknowledged)",
    );
  });
});

describe('clear, close and reopen', () => {
  const cleared = () => accept(open(), msg('clear', { by, resolution: 'Uplink replaced' }), T0 + HOUR);

  it('clearing informs the Close process and stops jeopardy', () => {
    const { report, effects } = cleared();
    expect(report.status).toBe('cleared');
    expect(report.clearance).toEqual({ by, at: iso(T0 + HOUR), resolution: 'Uplink replaced' });
    expect(effects).toEqual([{ type: 'informClose', reportId: 'R-1001', resolution: 'Uplink replaced', clearedAt: iso(T0 + HOUR) }]);
    expect(report.jeopardy.pausedSince).toBe(iso(T0 + HOUR));
    const later = tick(report, T0 + 10 * HOUR);
    expect(ofType(later.effects, 'notifyEscalation')).toEqual([]);
    expect(later.report.jeopardy.state).toBe('onTrack');
  });

  it('confirming closure closes a cleared report', () => {
    const { report } = accept(cleared().report, msg('confirmClosure', { by: 'close-process', note: 'customer confirmed' }), T0 + 2 * HOUR);
    expect(report.status).toBe('closed');
    expect(report.closure).toEqual({ by: 'close-process', at: iso(T0 + 2 * HOUR), how: 'confirmed', note: 'customer confirmed' });
    expect(nextWakeUp(report)).toBeUndefined();
  });

  it('a cleared report closes itself when the acceptance window expires', () => {
    const { report } = cleared();
    expect(nextWakeUp(report)).toBe(T0 + HOUR + 72 * HOUR);
    expect(tick(report, T0 + 73 * HOUR - 1).report.status).toBe('cleared');
    const closed = tick(report, T0 + 73 * HOUR).report;
    expect(closed.status).toBe('closed');
    expect(closed.closure).toEqual({ by: 'system', at: iso(T0 + 73 * HOUR), how: 'acceptanceWindowExpired' });
  });

  it('a rejected clearance reopens the report and the clock resumes where it stood (time spent cleared does not count)', () => {
    const { report } = accept(cleared().report, msg('rejectClearance', { by: 'customer.care', reason: 'still slow' }), T0 + 3 * HOUR);
    expect(report.status).toBe('inProgress');
    expect(report.clearance).toBeUndefined();
    expect(report.history.at(-1)).toMatchObject({
      action: 'clearanceRejected',
      fromStatus: 'cleared',
      toStatus: 'inProgress',
      reason: 'still slow',
    });
    expect(report.jeopardy.deadline).toBe(iso(T0 + 6 * HOUR));
    expect(report.jeopardy.pausedSince).toBeUndefined();
    expect(nextWakeUp(report)).toBe(T0 + 4 * HOUR);
  });

  it('a recurrence (setStatus inProgress) reopens a cleared report too', () => {
    const { report } = accept(
      cleared().report,
      msg('setStatus', { by, status: 'inProgress', reason: 'degradation recurred' }),
      T0 + 2 * HOUR,
    );
    expect(report.status).toBe('inProgress');
    expect(report.clearance).toBeUndefined();
  });
});

describe('final statuses', () => {
  const closed = (): Report => {
    const { report } = accept(open(), msg('clear', { by, resolution: 'fixed' }), T0);
    return accept(report, msg('confirmClosure', { by }), T0).report;
  };
  const cancelled = (): Report => accept(open(), msg('cancel', { by, reason: 'duplicate' }), T0).report;
  const everyMessage = [
    msg('addAnalysis', { author: by, summary: 'late note' }),
    msg('assign', { by, taskId: 't1', kind: 'analysis', assignee: 'bob' }),
    msg('updateTask', { by, taskId: 't1', status: 'done' }),
    msg('setStatus', { by, status: 'inProgress', reason: 'x' }),
    msg('cancel', { by, reason: 'other' }),
    msg('clear', { by, resolution: 'x' }),
    msg('confirmClosure', { by }),
    msg('rejectClearance', { by, reason: 'x' }),
    msg('resourceTroubleUpdate', { externalId: 'x', status: 'resolved' }),
    msg('partnerUpdate', { externalId: 'x', status: 'resolved' }),
    raw('addAnalysis', 'not even an object'),
  ];

  it('closed is final: every message is rejected', () => {
    const report = deepFreeze(closed());
    for (const command of everyMessage) expect(refuse(report, command, T0 + HOUR)).toBe('report is closed');
    expect(tick(report, T0 + 100 * HOUR).report).toBe(report);
    expect(nextWakeUp(report)).toBeUndefined();
  });

  it('cancelled is final: every message is rejected', () => {
    const report = deepFreeze(cancelled());
    for (const command of everyMessage) expect(refuse(report, command, T0 + HOUR)).toBe('report is cancelled');
    expect(nextWakeUp(report)).toBeUndefined();
  });
});

describe('cancellation', () => {
  it('cancelling a false alarm cancels its open trouble reports and partner requests and stops every timer', () => {
    let report = open({ partnerOwnedResources: { 'MW-3': 'acme' } });
    report = accept(
      report,
      msg('addAnalysis', { author: by, summary: 'PE-7 drops', rootCause: { domain: 'resource', resourceId: 'PE-7' } }),
      T0 + MINUTE,
    ).report;
    report = accept(
      report,
      { name: 'troubleReportCreated', payload: { key: 'spdr-R-1001-rtr-PE-7', ticketId: 'TT-9' } },
      T0 + 2 * MINUTE,
    ).report;
    report = accept(
      report,
      msg('addAnalysis', { author: by, summary: 'microwave link', rootCause: { domain: 'resource', resourceId: 'MW-3' } }),
      T0 + 3 * MINUTE,
    ).report;
    report = accept(
      report,
      msg('assign', { by, taskId: 'verify', kind: 'verification', assignee: 'bob', due: '1h' }),
      T0 + 4 * MINUTE,
    ).report;
    const { report: final, effects } = accept(
      report,
      msg('cancel', { by, reason: 'falseServiceFailureEvent', note: 'probe misconfigured' }),
      T0 + 5 * MINUTE,
    );
    expect(final.status).toBe('cancelled');
    expect(final.cancellation).toEqual({ by, at: iso(T0 + 5 * MINUTE), reason: 'falseServiceFailureEvent', note: 'probe misconfigured' });
    expect(effects).toEqual([
      {
        type: 'cancelTroubleReport',
        reportId: 'R-1001',
        key: 'spdr-R-1001-rtr-PE-7',
        ticketId: 'TT-9',
        reason: 'report cancelled: falseServiceFailureEvent',
      },
      {
        type: 'cancelPartnerRequest',
        reportId: 'R-1001',
        key: 'spdr-R-1001-pr-acme-MW-3',
        partyId: 'acme',
        reason: 'report cancelled: falseServiceFailureEvent',
      },
    ]);
    expect(final.tasks.every((task) => task.status === 'cancelled')).toBe(true);
    expect(nextWakeUp(final)).toBeUndefined();
  });

  it('does not cancel a trouble report that is already resolved', () => {
    let report = accept(
      open(),
      msg('addAnalysis', { author: by, summary: 's', rootCause: { domain: 'resource', resourceId: 'PE-7' } }),
      T0,
    ).report;
    report = accept(report, msg('resourceTroubleUpdate', { externalId: 'spdr-R-1001-rtr-PE-7', status: 'resolved' }), T0).report;
    expect(accept(report, msg('cancel', { by, reason: 'other' }), T0).effects).toEqual([]);
  });
});

describe('bad input', () => {
  it('names the message and the field that failed validation', () => {
    expect(refuse(open(), raw('addAnalysis', { author: by }), T0)).toBe('addAnalysis.summary: Required');
    expect(refuse(open(), raw('cancel', { by, reason: 'bored' }), T0)).toMatch(
      /^cancel\.reason: Invalid option: expected one of "falseServiceFailureEvent"/,
    );
    expect(refuse(open(), raw('clear', { by, resolution: 'x', resolutoin: 'typo' }), T0)).toBe('clear: Unrecognized key: "resolutoin"');
    expect(refuse(open(), raw('addAnalysis', { author: by, summary: 's', rootCause: { domain: 'resource' } }), T0)).toBe(
      'addAnalysis.rootCause.resourceId: required when domain is "resource"',
    );
    expect(refuse(open(), raw('resourceTroubleUpdate', { status: 'resolved' }), T0)).toBe(
      'resourceTroubleUpdate.externalId: one of externalId or ticketId is required',
    );
    expect(refuse(open(), raw('assign', { by, taskId: 't', kind: 'analysis', assignee: 'x', due: 'tomorrow' }), T0)).toMatch(
      /^assign\.due: expected an ISO date-time or a duration from now/,
    );
    expect(refuse(open(), raw('addAnalysis', null), T0)).toBe('addAnalysis: Invalid input: expected object, received null');
    expect(refuse(open(), { name: 'launchMissiles' as never, payload: {} }, T0)).toBe('unknown message "launchMissiles"');
  });

  it('a name that is a property of every object (toString, __proto__, constructor) is an unknown message, not a crash', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(refuse(open(), { name: name as never, payload: {} }, T0)).toBe(`unknown message "${name}"`);
    }
  });

  it('a rejected message is recorded in rejectedInputs and changes nothing else', () => {
    const report = deepFreeze(open());
    const outcome = receive(report, raw('setStatus', { by, status: 'acknowledged', reason: 'x' }), T0 + MINUTE);
    expect(outcome.rejection).toMatch(/^setStatus\.status/);
    expect(outcome.effects).toEqual([]);
    expect({ ...outcome.report, rejectedInputs: [] }).toEqual(report);
    expect(outcome.report.rejectedInputs).toEqual([
      {
        at: iso(T0 + MINUTE),
        message: 'setStatus',
        reason: outcome.rejection,
        payloadPreview: '{"by":"noc.anna","status":"acknowledged","reason":"x"}',
      },
    ]);
  });

  it('cuts the payload preview to 500 characters and survives payloads JSON cannot serialise', () => {
    const huge = { by, reason: 'x'.repeat(2000) };
    const recorded = recordRejection(open(), 'setStatus', huge, 'why', T0).rejectedInputs[0];
    expect(recorded.payloadPreview).toHaveLength(500);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(recordRejection(open(), 'assign', cyclic, 'why', T0).rejectedInputs[0].payloadPreview).toBe(
      '[payload not serialisable as JSON]',
    );
    expect(recordRejection(open(), 'assign', undefined, 'why', T0).rejectedInputs[0].payloadPreview).toBe('undefined');
  });

  it('twenty malformed or illegal messages leave the report healthy and listed in rejectedInputs', () => {
    const bad = [
      raw('addAnalysis', {}),
      raw('addAnalysis', 42),
      raw('assign', { by }),
      raw('assign', { by, taskId: 'a b', kind: 'analysis', assignee: 'x' }),
      raw('updateTask', { by, taskId: 'nope', status: 'done' }),
      raw('setStatus', { by, status: 'closed', reason: 'x' }),
      raw('setStatus', { by, status: 'acknowledged', reason: 'x' }),
      raw('cancel', { by }),
      raw('clear', { by }),
      raw('confirmClosure', { by }),
      raw('rejectClearance', { by, reason: 'x' }),
      raw('resourceTroubleUpdate', { externalId: 'nope', status: 'resolved' }),
      raw('partnerUpdate', { requestId: 'nope', status: 'resolved' }),
      raw('assign', { by, taskId: 't1', kind: 'analysis', assignee: 'x', dependsOn: ['ghost'] }),
      raw('assign', { by, taskId: 'rtr-x', kind: 'analysis', assignee: 'x' }),
      raw('addAnalysis', { author: by, summary: 's', rootCause: { domain: 'partner', resourceId: 'r' } }),
      raw('setStatus', []),
      raw('clear', 'cleared please'),
      raw('cancel', { by, reason: 'other', extra: true }),
      raw('updateTask', { by, taskId: 't', status: 'planned' }),
    ];
    let report = open();
    for (const [index, command] of bad.entries()) report = receive(report, command, T0 + index * MINUTE).report;
    expect(report.rejectedInputs).toHaveLength(20);
    expect(report.status).toBe('acknowledged');
    expect(report.history).toHaveLength(1);
    expect(report.rejectedInputs.every((entry) => entry.reason.length > 0)).toBe(true);
    expect(accept(report, msg('clear', { by, resolution: 'fine after all' }), T0 + HOUR).report.status).toBe('cleared');
  });
});

describe('jeopardy of a report', () => {
  it('a critical report with no activity notifies at 50%, escalates at 75% and 100%, then re-escalates every hour up to level 4', () => {
    const hours = [1, 2, 3, 4, 5, 6, 7, 8];
    let report = open();
    const timeline: string[] = [];
    for (const h of hours) {
      const outcome = tick(report, T0 + h * HOUR);
      report = outcome.report;
      for (const effect of outcome.effects)
        timeline.push(`${h}h ${effect.type}${effect.type === 'notifyEscalation' ? ` L${effect.level} ${effect.reason}` : ''}`);
    }
    expect(timeline).toEqual([
      '2h notifyAssignee',
      '3h notifyEscalation L1 jeopardy',
      '4h notifyEscalation L2 breach',
      '5h notifyEscalation L3 reEscalation',
      '6h notifyEscalation L4 reEscalation',
    ]);
    expect(report.jeopardy).toMatchObject({ state: 'breached', escalationLevel: 4 });
    expect(nextWakeUp(report)).toBeUndefined();
  });

  it('nextWakeUp names the exact instant of each next threshold', () => {
    let report = open();
    const wakeUps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const next = nextWakeUp(report) as number;
      wakeUps.push((next - T0) / MINUTE);
      report = tick(report, next).report;
    }
    expect(wakeUps).toEqual([120, 180, 240, 300, 360]);
  });

  it('a pending period moves the deadline by exactly the paused time', () => {
    let report = accept(open(), msg('setStatus', { by, status: 'pending', reason: 'waiting for originator logs' }), T0 + HOUR).report;
    expect(nextWakeUp(report)).toBeUndefined();
    expect(tick(report, T0 + HOUR + 20 * MINUTE).report.jeopardy.deadline).toBe(iso(T0 + 4 * HOUR + 20 * MINUTE));
    report = accept(report, msg('setStatus', { by, status: 'inProgress', reason: 'logs received' }), T0 + HOUR + 45 * MINUTE).report;
    expect(report.jeopardy.deadline).toBe(iso(T0 + 4 * HOUR + 45 * MINUTE));
    expect(report.jeopardy.pausedMs).toBe(45 * MINUTE);
    expect(nextWakeUp(report)).toBe(T0 + 2 * HOUR + 45 * MINUTE);
    const { effects } = tickThrough(report, [T0 + 2 * HOUR + 45 * MINUTE - 1, T0 + 2 * HOUR + 45 * MINUTE]);
    expect(effects.map((e) => e.type)).toEqual(['notifyAssignee']);
  });

  it('a threshold reached at the moment the report goes pending is still taken at the next wake-up', () => {
    const report = accept(open(), msg('setStatus', { by, status: 'pending', reason: 'asked the originator' }), T0 + 2 * HOUR).report;
    expect(nextWakeUp(report)).toBe(T0 + 2 * HOUR);
    expect(tick(report, T0 + 2 * HOUR).effects.map((effect) => effect.type)).toEqual(['notifyAssignee']);
  });

  it('held pauses the clock only when the policy says so', () => {
    const hold = (report: Report) => accept(report, msg('setStatus', { by, status: 'held', reason: 'change window' }), T0 + HOUR).report;
    const resume = (report: Report) => accept(report, msg('setStatus', { by, status: 'inProgress', reason: 'go' }), T0 + 2 * HOUR).report;
    expect(resume(hold(open())).jeopardy.deadline).toBe(iso(T0 + 4 * HOUR));
    expect(resume(hold(open({ jeopardyPolicy: { pauseWhenHeld: true } }))).jeopardy.deadline).toBe(iso(T0 + 5 * HOUR));
  });

  it('steps missed while the worker was away are all taken at the next tick, in order', () => {
    const { effects, report } = tickThrough(open(), [T0 + 5 * HOUR]);
    expect(effects.map((e) => (e.type === 'notifyEscalation' ? e.level : 0))).toEqual([0, 1, 2, 3]);
    expect(report.jeopardy.escalationLevel).toBe(3);
  });

  it('an outside system that keeps failing is recorded and escalated, but a failing escalation webhook is not escalated through itself', () => {
    const failed = accept(
      open(),
      {
        name: 'outsideSystemFailed',
        payload: { system: 'resourceTroubleManagement', operation: 'createTroubleReport', message: '503', key: 'k' },
      },
      T0,
    );
    expect(failed.report.outsideFailures).toHaveLength(1);
    expect(failed.effects).toEqual([expect.objectContaining({ type: 'notifyEscalation', reason: 'outsideSystemFailing', level: 0 })]);
    const webhook = accept(
      open(),
      { name: 'outsideSystemFailed', payload: { system: 'escalationNotification', operation: 'notifyEscalation', message: 'timeout' } },
      T0,
    );
    expect(webhook.effects).toEqual([]);
    expect(webhook.report.history.at(-1)?.action).toBe('outsideSystemFailed');
  });
});

it('applyCommand never mutates the report it is given', () => {
  const report = deepFreeze(open());
  expect(() => applyCommand(report, msg('assign', { by, taskId: 't1', kind: 'analysis', assignee: 'bob' }), T0)).not.toThrow();
});
