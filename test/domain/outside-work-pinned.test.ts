/**
 * Work done outside (src/domain/outside-work.ts) pinned exactly: the history a trouble report and
 * a partner request write from request to answer, the refusals of conflicting or unknown facts
 * and updates, and the two status predicates. Written to kill StrykerJS survivors there (most
 * were history texts and refusal reasons that no test read).
 */
import { describe, expect, it } from 'vitest';
import type { Command, Report } from '../../src/domain';
import { partnerRequestIsWaiting, troubleReportIsOpen } from '../../src/domain/outside-work';
import type { PartnerRequest, TroubleReport } from '../../src/domain/schemas';
import { MINUTE, T0, accept, msg, open, refuse } from './fixtures';

const by = 'noc.anna';
const RTR = 'spdr-R-1001-rtr-PE-7';
const PR = 'spdr-R-1001-pr-acme-FIB-9';
const fact = (name: Command['name'], payload: unknown): Command => ({ name, payload }) as Command;
const resourceCause = (resourceId = 'PE-7', description?: string) =>
  msg('addAnalysis', { author: by, summary: 's', rootCause: { domain: 'resource', resourceId, description } });
const partnerCause = msg('addAnalysis', {
  author: by,
  summary: 's',
  rootCause: { domain: 'partner', resourceId: 'FIB-9', partyId: 'acme' },
});
const historyOf = (report: Report, from = 0) =>
  report.history.slice(from).map((h) => [h.by, h.action, h.detail ?? null, h.reason ?? null, h.toStatus ?? null]);

function steps(report: Report, commands: Command[], start = T0 + MINUTE): Report {
  return commands.reduce((current, command, i) => accept(current, command, start + i * MINUTE).report, report);
}

describe('a trouble report from request to resolution', () => {
  it('writes this history, completes its task and records the ticket', () => {
    const report = steps(open(), [
      resourceCause('PE-7', 'uplink flaps'),
      fact('troubleReportCreated', { key: RTR, ticketId: 'TT-1' }),
      msg('resourceTroubleUpdate', { externalId: RTR, status: 'inProgress', statusChangeReason: 'crew out' }),
      msg('resourceTroubleUpdate', { ticketId: 'TT-1', status: 'resolved', resolution: 'card swapped', by: 'field' }),
    ]);
    expect(historyOf(report, 1)).toEqual([
      [by, 'analysisAdded', 's', null, null],
      [
        by,
        'troubleReportRequested',
        `trouble report ${RTR} requested for resource PE-7; task rtr-PE-7 delegated to resource-trouble-management`,
        null,
        null,
      ],
      [by, 'statusChanged', null, 'restoration of PE-7 delegated to resource-trouble-management', 'inProgress'],
      ['resource-trouble-management', 'troubleReportCreated', `trouble report ${RTR} created as ticket TT-1`, null, null],
      [
        'resource-trouble-management',
        'troubleReportUpdated',
        `trouble report ${RTR} (ticket TT-1): acknowledged -> inProgress`,
        'crew out',
        null,
      ],
      ['field', 'troubleReportUpdated', `trouble report ${RTR} (ticket TT-1): inProgress -> resolved`, 'card swapped', null],
      ['field', 'taskUpdated', 'task rtr-PE-7: dispatched -> done (trouble report resolved)', null, null],
    ]);
    expect(report.tasks).toEqual([
      {
        taskId: 'rtr-PE-7',
        kind: 'restoration',
        title: 'Restore resource PE-7',
        assignee: 'resource-trouble-management',
        dependsOn: [],
        status: 'done',
        dispatchedAt: '2026-11-25T10:01:00.000Z',
        overdueEscalated: false,
        troubleReportKey: RTR,
        completedAt: '2026-11-25T10:04:00.000Z',
      },
    ]);
    expect(report.troubleReports[0]).toMatchObject({
      ticketId: 'TT-1',
      status: 'resolved',
      statusChangeReason: 'crew out',
      resolution: 'card swapped',
    });
  });

  it('puts the cause description into the create effect', () => {
    const { effects } = accept(open(), resourceCause('PE-7', 'uplink flaps'), T0);
    expect(effects).toMatchObject([{ description: 'Call setup latency p95 above 3 s | suspected cause: resource PE-7: uplink flaps' }]);
  });

  it('does not change the status again when the report is already in progress', () => {
    const report = steps(open(), [resourceCause('PE-7'), resourceCause('PE-8')]);
    expect(report.history.filter((h) => h.toStatus === 'inProgress')).toHaveLength(1);
  });

  it('a closed ticket completes the task; a rejected or cancelled one leaves it open with a hint', () => {
    const created = steps(open(), [resourceCause('PE-7'), fact('troubleReportCreated', { key: RTR, ticketId: 'TT-1' })]);
    const closed = accept(created, msg('resourceTroubleUpdate', { externalId: RTR, status: 'closed' }), T0 + 9 * MINUTE).report;
    expect(historyOf(closed).at(-1)).toEqual([
      'resource-trouble-management',
      'taskUpdated',
      'task rtr-PE-7: dispatched -> done (trouble report closed)',
      null,
      null,
    ]);
    for (const status of ['rejected', 'cancelled'] as const) {
      const refused = accept(created, msg('resourceTroubleUpdate', { externalId: RTR, status }), T0 + 9 * MINUTE).report;
      expect(refused.tasks[0].status).toBe('dispatched');
      expect(historyOf(refused).at(-1)).toEqual([
        'resource-trouble-management',
        'taskUpdated',
        `task rtr-PE-7 stays dispatched: its trouble report was ${status}; reassign it to restore resource PE-7 another way`,
        null,
        null,
      ]);
    }
    const held = accept(created, msg('resourceTroubleUpdate', { externalId: RTR, status: 'held' }), T0 + 9 * MINUTE).report;
    expect(held.history.at(-1)?.action).toBe('troubleReportUpdated');
  });

  it('refuses a create fact for an unknown key or a second ticket, and ignores a repeated one', () => {
    const requested = steps(open(), [resourceCause('PE-7')]);
    expect(refuse(requested, fact('troubleReportCreated', { key: 'nope', ticketId: 'TT-1' }), T0)).toBe('unknown trouble report nope');
    const created = accept(requested, fact('troubleReportCreated', { key: RTR, ticketId: 'TT-1' }), T0 + MINUTE).report;
    expect(refuse(created, fact('troubleReportCreated', { key: RTR, ticketId: 'TT-2' }), T0)).toBe(
      `trouble report ${RTR} already has ticket TT-1, not TT-2`,
    );
    const again = accept(created, fact('troubleReportCreated', { key: RTR, ticketId: 'TT-1' }), T0 + 2 * MINUTE);
    expect(again.report).toBe(created);
    expect(again.effects).toEqual([]);
  });

  it('finds the record by key and id, and names what does not match', () => {
    const two = steps(open(), [
      resourceCause('PE-7'),
      resourceCause('PE-8'),
      fact('troubleReportCreated', { key: 'spdr-R-1001-rtr-PE-8', ticketId: 'TT-8' }),
    ]);
    const update = (payload: object) => refuse(two, raw({ status: 'inProgress', ...payload }), T0);
    const raw = (payload: object) => fact('resourceTroubleUpdate', payload);
    expect(update({ externalId: 'x', ticketId: 'TT-0' })).toBe('unknown trouble report (externalId x, ticketId TT-0)');
    expect(update({ ticketId: 'TT-0' })).toBe('unknown trouble report (ticketId TT-0)');
    expect(update({ externalId: 'x', ticketId: 'TT-8' })).toBe('unknown trouble report (externalId x, ticketId TT-8)');
    expect(update({ externalId: 'spdr-R-1001-rtr-PE-8', ticketId: 'TT-9' })).toBe(
      'trouble report spdr-R-1001-rtr-PE-8 is ticket TT-8, not TT-9',
    );
    expect(update({ externalId: RTR, ticketId: 'TT-8' })).toBe(`ticket TT-8 belongs to trouble report spdr-R-1001-rtr-PE-8, not ${RTR}`);
    expect(accept(two, raw({ externalId: RTR, status: 'inProgress' }), T0 + 9 * MINUTE).report.troubleReports[0].status).toBe('inProgress');
  });

  it('names an outside failure and gives each escalation its own subject', () => {
    const { report, effects } = accept(
      open(),
      fact('outsideSystemFailed', {
        system: 'resourceTroubleManagement',
        operation: 'create trouble/ticket',
        message: 'HTTP 503',
        key: 'k1',
      }),
      T0 + MINUTE,
    );
    expect(effects).toMatchObject([
      {
        type: 'notifyEscalation',
        detail: 'resourceTroubleManagement create trouble/ticket (k1) failed: HTTP 503',
        subject: 'resourceTroubleManagement-create-trouble-ticket-1',
      },
    ]);
    const second = accept(
      report,
      fact('outsideSystemFailed', { system: 'partnerPerformanceManagement', operation: 'send', message: 'timeout' }),
      T0 + 2 * MINUTE,
    );
    expect(second.effects).toMatchObject([
      { detail: 'partnerPerformanceManagement send failed: timeout', subject: 'partnerPerformanceManagement-send-2' },
    ]);
    expect(historyOf(second.report).at(-1)).toEqual([
      'partnerPerformanceManagement',
      'outsideSystemFailed',
      'partnerPerformanceManagement send failed: timeout',
      null,
      null,
    ]);
  });
});

describe('a partner request from request to answer', () => {
  const partnerReport = () => open({ partnerOwnedResources: { 'FIB-9': 'acme' } });

  it('writes this history and resumes work when the partner answers', () => {
    const report = steps(partnerReport(), [
      partnerCause,
      fact('partnerRequestCreated', { key: PR, requestId: 'PR-1' }),
      msg('partnerUpdate', { requestId: 'PR-1', status: 'inProgress', expectedResolutionDate: '2026-11-25T12:00:00Z', note: 'on it' }),
      msg('partnerUpdate', { externalId: PR, status: 'resolved' }),
    ]);
    expect(historyOf(report, 1)).toEqual([
      [by, 'analysisAdded', 's', null, null],
      [
        by,
        'partnerRequestSent',
        `partner request ${PR} sent to acme for resource FIB-9, answer due 2026-11-25T14:01:00.000Z`,
        'waiting on partner acme',
        'pending',
      ],
      ['acme', 'partnerRequestCreated', `partner request ${PR} accepted by acme as PR-1`, null, null],
      [
        'acme',
        'partnerUpdated',
        `partner request ${PR}: requested -> inProgress; resolution promised for 2026-11-25T12:00:00Z`,
        'on it',
        null,
      ],
      ['acme', 'partnerUpdated', `partner request ${PR}: inProgress -> resolved`, null, null],
      ['acme', 'statusChanged', null, 'partner acme answered: resolved', 'inProgress'],
    ]);
    expect(report.partnerRequests[0]).toMatchObject({ note: 'on it', expectedResolutionDate: '2026-11-25T12:00:00Z', status: 'resolved' });
  });

  it('sent while held, it only logs the request and keeps the status', () => {
    const held = accept(partnerReport(), msg('setStatus', { by, status: 'held', reason: 'customer asked' }), T0).report;
    const report = accept(held, partnerCause, T0 + MINUTE).report;
    expect(report.status).toBe('held');
    expect(historyOf(report).at(-1)).toEqual([
      by,
      'partnerRequestSent',
      `partner request ${PR} sent to acme for resource FIB-9, answer due 2026-11-25T14:01:00.000Z`,
      null,
      null,
    ]);
  });

  it('refuses a create fact for an unknown key or a second request id, and ignores a repeated one', () => {
    const sent = steps(partnerReport(), [partnerCause]);
    expect(refuse(sent, fact('partnerRequestCreated', { key: 'nope', requestId: 'PR-1' }), T0)).toBe('unknown partner request nope');
    const created = accept(sent, fact('partnerRequestCreated', { key: PR, requestId: 'PR-1' }), T0 + MINUTE).report;
    expect(refuse(created, fact('partnerRequestCreated', { key: PR, requestId: 'PR-2' }), T0)).toBe(
      `partner request ${PR} already has request id PR-1, not PR-2`,
    );
    const again = accept(created, fact('partnerRequestCreated', { key: PR, requestId: 'PR-1' }), T0 + 2 * MINUTE);
    expect(again.report).toBe(created);
  });

  it('refuses an update going back, and one that changes nothing is no change', () => {
    const working = steps(partnerReport(), [partnerCause, msg('partnerUpdate', { externalId: PR, status: 'inProgress' })]);
    expect(refuse(working, msg('partnerUpdate', { externalId: PR, status: 'acknowledged' }), T0)).toBe(
      `out-of-order update: partner request ${PR} is already inProgress, cannot go back to acknowledged`,
    );
    const same = accept(working, msg('partnerUpdate', { externalId: PR, status: 'inProgress' }), T0 + 9 * MINUTE);
    expect(same.report).toBe(working);
    const stillPending = accept(
      working,
      msg('partnerUpdate', { externalId: PR, status: 'inProgress', note: 'soon' }),
      T0 + 9 * MINUTE,
    ).report;
    expect(stillPending.status).toBe('pending');
    expect(stillPending.history.at(-1)?.detail).toBe(`partner request ${PR}: inProgress -> inProgress`);
  });

  it('an operator pending is not left when the partner answers', () => {
    const sent = steps(partnerReport(), [
      partnerCause,
      msg('setStatus', { by, status: 'inProgress', reason: 'working around it' }),
      msg('setStatus', { by, status: 'pending', reason: 'asked the originator' }),
    ]);
    const answered = accept(sent, msg('partnerUpdate', { externalId: PR, status: 'resolved' }), T0 + 9 * MINUTE).report;
    expect(answered.status).toBe('pending');
  });
});

describe('status predicates', () => {
  it('a trouble report is open until resolved, closed, cancelled or rejected', () => {
    const open = (status: TroubleReport['status']) => troubleReportIsOpen({ status } as TroubleReport);
    expect((['requested', 'acknowledged', 'inProgress', 'pending', 'held'] as const).every(open)).toBe(true);
    expect((['resolved', 'closed', 'cancelled', 'rejected'] as const).some(open)).toBe(false);
  });

  it('a partner request waits while requested, acknowledged or in progress', () => {
    const waiting = (status: PartnerRequest['status']) => partnerRequestIsWaiting({ status } as PartnerRequest);
    expect((['requested', 'acknowledged', 'inProgress'] as const).every(waiting)).toBe(true);
    expect((['resolved', 'rejected', 'cancelled'] as const).some(waiting)).toBe(false);
  });
});

describe('the remaining outside-work edges', () => {
  const partnerReport = () => open({ partnerOwnedResources: { 'FIB-9': 'acme' } });

  it('a second cause for the same partner resource sends nothing and says why', () => {
    const report = steps(partnerReport(), [partnerCause, partnerCause]);
    expect(report.partnerRequests).toHaveLength(1);
    expect(report.history.at(-1)?.detail).toContain(`partner acme already has request ${PR} for resource FIB-9`);
  });

  it('a request sent while in progress moves the report to pending', () => {
    const working = accept(partnerReport(), msg('setStatus', { by, status: 'inProgress', reason: 'on it' }), T0).report;
    const report = accept(working, partnerCause, T0 + MINUTE).report;
    expect(historyOf(report).at(-1)).toEqual([
      by,
      'partnerRequestSent',
      `partner request ${PR} sent to acme for resource FIB-9, answer due 2026-11-25T14:01:00.000Z`,
      'waiting on partner acme',
      'pending',
    ]);
  });

  it('an update before the create fact names no ticket, and the late create keeps the newer status', () => {
    const report = steps(open(), [
      resourceCause('PE-7'),
      msg('resourceTroubleUpdate', { externalId: RTR, status: 'inProgress' }),
      fact('troubleReportCreated', { key: RTR, ticketId: 'TT-1' }),
    ]);
    expect(report.history.find((h) => h.action === 'troubleReportUpdated')?.detail).toBe(`trouble report ${RTR}: requested -> inProgress`);
    expect(report.troubleReports[0]).toMatchObject({ status: 'inProgress', ticketId: 'TT-1' });
  });

  it('a task already done is not completed again when its resolved ticket closes', () => {
    const resolved = steps(open(), [resourceCause('PE-7'), msg('resourceTroubleUpdate', { externalId: RTR, status: 'resolved' })]);
    const report = accept(resolved, msg('resourceTroubleUpdate', { externalId: RTR, status: 'closed' }), T0 + 9 * MINUTE).report;
    expect(report.history.at(-1)?.action).toBe('troubleReportUpdated');
    expect(report.tasks[0].completedAt).toBe(resolved.tasks[0].completedAt);
  });

  it('a repeated promise is not announced again', () => {
    const promised = '2026-11-25T12:00:00Z';
    const report = steps(partnerReport(), [
      partnerCause,
      msg('partnerUpdate', { externalId: PR, status: 'acknowledged', expectedResolutionDate: promised }),
      msg('partnerUpdate', { externalId: PR, status: 'inProgress', expectedResolutionDate: promised }),
    ]);
    expect(report.history.at(-1)?.detail).toBe(`partner request ${PR}: acknowledged -> inProgress`);
  });

  it('names a partner request id that does not match', () => {
    const created = steps(partnerReport(), [partnerCause, fact('partnerRequestCreated', { key: PR, requestId: 'PR-1' })]);
    expect(refuse(created, msg('partnerUpdate', { externalId: PR, requestId: 'PR-9', status: 'inProgress' }), T0)).toBe(
      `partner request ${PR} is request PR-1, not PR-9`,
    );
  });

  it('a failure subject folds runs of other characters into one dash and counts trimmed failures', () => {
    const trimmed = { ...open(), trimmed: { outsideFailures: 5 } } as Report;
    const { effects } = accept(
      trimmed,
      fact('outsideSystemFailed', { system: 'closeProcess', operation: 'close  //now', message: 'x' }),
      T0,
    );
    expect(effects).toMatchObject([{ subject: 'closeProcess-close-now-6' }]);
  });
});

describe('the delegated task among others', () => {
  it('a resolved ticket completes its own task, not the task listed before it', () => {
    const report = steps(open(), [
      msg('assign', { by, taskId: 'diagnose', kind: 'analysis', assignee: 'anna' }),
      resourceCause('PE-7'),
      msg('resourceTroubleUpdate', { externalId: RTR, status: 'resolved' }),
    ]);
    expect(report.tasks.map((task) => [task.taskId, task.status])).toEqual([
      ['diagnose', 'dispatched'],
      ['rtr-PE-7', 'done'],
    ]);
  });
});
