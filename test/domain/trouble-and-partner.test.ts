import { describe, expect, it } from 'vitest';
import { nextWakeUp, type Report } from '../../src/domain';
import { HOUR, MINUTE, T0, accept, iso, msg, ofType, open, refuse, tickThrough } from './fixtures';

const by = 'noc.anna';
const KEY = 'spdr-R-1001-rtr-PE-7';
const resourceCause = (resourceId = 'PE-7') =>
  msg('addAnalysis', { author: by, summary: `Packet loss on ${resourceId} uplink`, rootCause: { domain: 'resource', resourceId } });

describe('resource cause -> resource trouble report', () => {
  it('a resource cause creates one trouble report and a restoration task delegated to resource trouble management', () => {
    const { report, effects } = accept(open(), resourceCause(), T0 + MINUTE);
    expect(effects).toEqual([
      {
        type: 'createTroubleReport',
        key: KEY,
        reportId: 'R-1001',
        resourceId: 'PE-7',
        severity: 'critical',
        description: 'Call setup latency p95 above 3 s | suspected cause: resource PE-7',
        taskId: 'rtr-PE-7',
      },
    ]);
    expect(report.troubleReports).toEqual([
      { key: KEY, resourceId: 'PE-7', status: 'requested', requestedAt: iso(T0 + MINUTE), taskId: 'rtr-PE-7' },
    ]);
    expect(report.tasks).toEqual([
      expect.objectContaining({
        taskId: 'rtr-PE-7',
        kind: 'restoration',
        assignee: 'resource-trouble-management',
        status: 'dispatched',
        troubleReportKey: KEY,
      }),
    ]);
    expect(report.status).toBe('inProgress');
    expect(report.analysis).toEqual([
      { author: by, at: iso(T0 + MINUTE), summary: 'Packet loss on PE-7 uplink', rootCause: { domain: 'resource', resourceId: 'PE-7' } },
    ]);
  });

  it('a second analysis naming the same resource does not create a second trouble report', () => {
    const first = accept(open(), resourceCause(), T0).report;
    const { report, effects } = accept(first, resourceCause(), T0 + MINUTE);
    expect(effects).toEqual([]);
    expect(report.troubleReports).toHaveLength(1);
    expect(report.analysis).toHaveLength(2);
    expect(report.history.at(-1)?.detail).toContain(`resource PE-7 already has trouble report ${KEY}`);
  });

  it('another resource gets its own trouble report', () => {
    const report = accept(accept(open(), resourceCause(), T0).report, resourceCause('PE-8'), T0).report;
    expect(report.troubleReports.map((troubleReport) => troubleReport.key)).toEqual([KEY, 'spdr-R-1001-rtr-PE-8']);
  });

  it('records the ticket id once the create activity succeeds, and ignores a repeated success', () => {
    const created = accept(
      accept(open(), resourceCause(), T0).report,
      { name: 'troubleReportCreated', payload: { key: KEY, ticketId: 'TT-42' } },
      T0 + MINUTE,
    );
    expect(created.report.troubleReports[0]).toMatchObject({ ticketId: 'TT-42', status: 'acknowledged', createdAt: iso(T0 + MINUTE) });
    const again = accept(created.report, { name: 'troubleReportCreated', payload: { key: KEY, ticketId: 'TT-42' } }, T0 + 2 * MINUTE);
    expect(again.report).toBe(created.report);
  });

  it('its resolution completes the delegated task and dispatches the tasks that wait on it', () => {
    let report = accept(open(), resourceCause(), T0).report;
    report = accept(report, { name: 'troubleReportCreated', payload: { key: KEY, ticketId: 'TT-42' } }, T0).report;
    report = accept(
      report,
      msg('assign', { by, taskId: 'verify', kind: 'verification', assignee: 'noc.bob', dependsOn: ['rtr-PE-7'] }),
      T0,
    ).report;
    report = accept(report, msg('resourceTroubleUpdate', { ticketId: 'TT-42', status: 'inProgress' }), T0 + HOUR).report;
    const { report: resolved, effects } = accept(
      report,
      msg('resourceTroubleUpdate', { externalId: KEY, ticketId: 'TT-42', status: 'resolved', resolution: 'SFP replaced' }),
      T0 + 2 * HOUR,
    );
    expect(resolved.troubleReports[0]).toMatchObject({ status: 'resolved', resolution: 'SFP replaced', lastUpdateAt: iso(T0 + 2 * HOUR) });
    expect(resolved.tasks.find((task) => task.taskId === 'rtr-PE-7')).toMatchObject({ status: 'done', completedAt: iso(T0 + 2 * HOUR) });
    expect(ofType(effects, 'dispatchTask').map((effect) => effect.taskId)).toEqual(['verify']);
  });

  it('an out-of-order update never moves a resolved trouble report back', () => {
    let report = accept(open(), resourceCause(), T0).report;
    report = accept(report, msg('resourceTroubleUpdate', { externalId: KEY, status: 'resolved' }), T0).report;
    expect(refuse(report, msg('resourceTroubleUpdate', { externalId: KEY, status: 'inProgress' }), T0)).toBe(
      `out-of-order update: trouble report ${KEY} is already resolved, cannot go back to inProgress`,
    );
    const closed = accept(report, msg('resourceTroubleUpdate', { externalId: KEY, status: 'closed' }), T0).report;
    expect(refuse(closed, msg('resourceTroubleUpdate', { externalId: KEY, status: 'resolved' }), T0)).toBe(
      `trouble report ${KEY} is already closed`,
    );
  });

  it('a repeated update with nothing new is accepted and changes nothing', () => {
    const report = accept(
      accept(open(), resourceCause(), T0).report,
      msg('resourceTroubleUpdate', { externalId: KEY, status: 'inProgress' }),
      T0,
    ).report;
    expect(accept(report, msg('resourceTroubleUpdate', { externalId: KEY, status: 'inProgress' }), T0 + 1).report).toBe(report);
  });

  it('refuses an update for an unknown trouble report or a mismatched ticket', () => {
    const report = accept(
      accept(open(), resourceCause(), T0).report,
      { name: 'troubleReportCreated', payload: { key: KEY, ticketId: 'TT-42' } },
      T0,
    ).report;
    expect(refuse(report, msg('resourceTroubleUpdate', { ticketId: 'TT-1', status: 'resolved' }), T0)).toBe(
      'unknown trouble report (ticketId TT-1)',
    );
    expect(refuse(report, msg('resourceTroubleUpdate', { externalId: KEY, ticketId: 'TT-1', status: 'resolved' }), T0)).toBe(
      `trouble report ${KEY} is ticket TT-42, not TT-1`,
    );
  });

  it('a rejected trouble report is recorded and its task stays open, to be reassigned by hand', () => {
    let report = accept(open(), resourceCause(), T0).report;
    expect(refuse(report, msg('updateTask', { by, taskId: 'rtr-PE-7', status: 'done' }), T0)).toBe(
      `task rtr-PE-7 is delegated to resource trouble management; trouble report ${KEY} moves it`,
    );
    report = accept(
      report,
      msg('resourceTroubleUpdate', { externalId: KEY, status: 'rejected', statusChangeReason: 'not our resource' }),
      T0 + HOUR,
    ).report;
    expect(report.tasks[0].status).toBe('dispatched');
    expect(report.history.at(-1)?.detail).toContain('task rtr-PE-7 stays dispatched: its trouble report was rejected');
    const reassigned = accept(report, msg('assign', { by, taskId: 'rtr-PE-7', kind: 'restoration', assignee: 'field.ops' }), T0 + HOUR);
    expect(ofType(reassigned.effects, 'dispatchTask')).toEqual([expect.objectContaining({ taskId: 'rtr-PE-7', assignee: 'field.ops' })]);
  });

  it('a cleared report refuses a new resource cause but takes a plain note', () => {
    const cleared = accept(open(), msg('clear', { by, resolution: 'ok' }), T0).report;
    expect(refuse(cleared, resourceCause(), T0)).toBe(
      'report is cleared: reopen it with rejectClearance before naming a resource or partner cause',
    );
    expect(accept(cleared, msg('addAnalysis', { author: by, summary: 'post-mortem note' }), T0).report.analysis).toHaveLength(1);
  });
});

describe('partner-owned resource -> partner request', () => {
  const PKEY = 'spdr-R-1001-pr-acme-MW-3';
  const partnerReport = (): Report => open({ partnerOwnedResources: { 'MW-3': 'acme' } });

  it('a cause on a partner-owned resource sends a partner request and the report waits pending', () => {
    const { report, effects } = accept(partnerReport(), resourceCause('MW-3'), T0 + HOUR);
    expect(effects).toEqual([
      {
        type: 'createPartnerRequest',
        key: PKEY,
        reportId: 'R-1001',
        partyId: 'acme',
        resourceId: 'MW-3',
        description: 'Call setup latency p95 above 3 s',
        due: iso(T0 + 5 * HOUR),
      },
    ]);
    expect(report.troubleReports).toEqual([]);
    expect(report.status).toBe('pending');
    expect(report.history.at(-1)).toMatchObject({
      action: 'partnerRequestSent',
      fromStatus: 'acknowledged',
      toStatus: 'pending',
      reason: 'waiting on partner acme',
    });
    expect(report.jeopardy.pausedSince).toBe(iso(T0 + HOUR));
  });

  it('an explicit partner cause does the same', () => {
    const { report } = accept(
      open(),
      msg('addAnalysis', { author: by, summary: 'leased line', rootCause: { domain: 'partner', partyId: 'carrierX', resourceId: 'LL-1' } }),
      T0,
    );
    expect(report.partnerRequests).toEqual([
      expect.objectContaining({ key: 'spdr-R-1001-pr-carrierX-LL-1', partyId: 'carrierX', status: 'requested', lateEscalated: false }),
    ]);
  });

  it('a late partner is escalated once, even while the report is pending', () => {
    let report = accept(partnerReport(), resourceCause('MW-3'), T0 + HOUR).report;
    // Accepted by the partner: the report keeps waiting on it (a request never sent does not, see below).
    report = accept(report, { name: 'partnerRequestCreated', payload: { key: PKEY, requestId: 'ACME-77' } }, T0 + HOUR).report;
    expect(nextWakeUp(report)).toBe(T0 + 5 * HOUR);
    const { report: after, effects } = tickThrough(report, [T0 + 5 * HOUR, T0 + 6 * HOUR]);
    expect(ofType(effects, 'notifyEscalation')).toEqual([expect.objectContaining({ reason: 'partnerLate' })]);
    expect(after.partnerRequests[0].lateEscalated).toBe(true);
    expect(nextWakeUp(after)).toBeUndefined();
  });

  it('a request the partner never accepted (its system down) is escalated when late and the clock runs again', () => {
    const report = accept(partnerReport(), resourceCause('MW-3'), T0 + HOUR).report;
    const { report: after, effects } = tickThrough(report, [T0 + 5 * HOUR]);
    expect(ofType(effects, 'notifyEscalation')).toEqual([expect.objectContaining({ reason: 'partnerLate' })]);
    expect(after.status).toBe('inProgress');
    expect(after.history.at(-1)).toMatchObject({ fromStatus: 'pending', toStatus: 'inProgress' });
    expect(nextWakeUp(after)).toBeGreaterThan(T0 + 5 * HOUR);
  });

  it("the partner's answer resumes the clock, and the deadline has moved by exactly the wait", () => {
    let report = accept(partnerReport(), resourceCause('MW-3'), T0 + HOUR).report;
    report = accept(report, { name: 'partnerRequestCreated', payload: { key: PKEY, requestId: 'ACME-77' } }, T0 + HOUR).report;
    report = accept(report, msg('partnerUpdate', { requestId: 'ACME-77', status: 'acknowledged' }), T0 + 2 * HOUR).report;
    expect(report.status).toBe('pending');
    const { report: answered } = accept(
      report,
      msg('partnerUpdate', { requestId: 'ACME-77', partyId: 'acme', status: 'resolved', note: 'radio realigned' }),
      T0 + 3 * HOUR,
    );
    expect(answered.status).toBe('inProgress');
    expect(answered.history.at(-1)).toMatchObject({
      by: 'acme',
      fromStatus: 'pending',
      toStatus: 'inProgress',
      reason: 'partner acme answered: resolved',
    });
    expect(answered.jeopardy.deadline).toBe(iso(T0 + 6 * HOUR));
    expect(answered.jeopardy.pausedSince).toBeUndefined();
  });

  it('the report stays pending while another partner still has to answer', () => {
    let report = accept(open({ partnerOwnedResources: { 'MW-3': 'acme', 'MW-4': 'beta' } }), resourceCause('MW-3'), T0).report;
    report = accept(report, resourceCause('MW-4'), T0).report;
    report = accept(report, msg('partnerUpdate', { externalId: PKEY, status: 'resolved' }), T0 + HOUR).report;
    expect(report.status).toBe('pending');
    report = accept(
      report,
      msg('partnerUpdate', { externalId: 'spdr-R-1001-pr-beta-MW-4', status: 'rejected', note: 'not ours' }),
      T0 + HOUR,
    ).report;
    expect(report.status).toBe('inProgress');
  });

  it('a partner answer does not end a pending status an operator set for another reason', () => {
    let report = accept(partnerReport(), msg('setStatus', { by, status: 'pending', reason: 'waiting on originator' }), T0).report;
    report = accept(report, resourceCause('MW-3'), T0).report;
    report = accept(report, msg('partnerUpdate', { externalId: PKEY, status: 'resolved' }), T0 + HOUR).report;
    expect(report.status).toBe('pending');
  });

  it('refuses an answer from the wrong party, for an unknown request, or after the final answer', () => {
    const report = accept(partnerReport(), resourceCause('MW-3'), T0).report;
    expect(refuse(report, msg('partnerUpdate', { externalId: PKEY, partyId: 'evil', status: 'resolved' }), T0)).toBe(
      `partner request ${PKEY} belongs to party acme, not evil`,
    );
    expect(refuse(report, msg('partnerUpdate', { requestId: 'nope', status: 'resolved' }), T0)).toBe(
      'unknown partner request (requestId nope)',
    );
    const resolved = accept(report, msg('partnerUpdate', { externalId: PKEY, status: 'resolved' }), T0).report;
    expect(refuse(resolved, msg('partnerUpdate', { externalId: PKEY, status: 'inProgress' }), T0)).toBe(
      `partner request ${PKEY} is already resolved`,
    );
  });

  it('the same partner and resource never get a second request', () => {
    const report = accept(partnerReport(), resourceCause('MW-3'), T0).report;
    const again = accept(report, resourceCause('MW-3'), T0 + MINUTE);
    expect(again.effects).toEqual([]);
    expect(again.report.partnerRequests).toHaveLength(1);
  });
});
