/**
 * The operator contract's vocabulary (PRODUCT.md: these names are the UI), and the shapes around
 * it that a typo would silently change. Public API only (src/domain/index.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  Actor,
  CancelReason,
  DueTime,
  EscalationReason,
  HistoryAction,
  OutsideSystem,
  PartnerAnswerStatus,
  PartnerUpdate,
  Report,
  ReportStatus,
  TaskKind,
  TaskStatus,
  TroubleTicketStatus,
  resolveDueTime,
} from '../../src/domain';
import { HOUR, T0 } from './fixtures';

describe('vocabulary', () => {
  it('keeps every enum of the contract exactly', () => {
    expect(ReportStatus.options).toEqual(['acknowledged', 'inProgress', 'pending', 'held', 'cleared', 'closed', 'cancelled']);
    expect(TaskKind.options).toEqual(['analysis', 'restoration', 'repair', 'improvement', 'verification']);
    expect(TaskStatus.options).toEqual(['planned', 'dispatched', 'inProgress', 'done', 'cancelled']);
    expect(TroubleTicketStatus.options).toEqual([
      'acknowledged',
      'inProgress',
      'pending',
      'held',
      'resolved',
      'closed',
      'cancelled',
      'rejected',
    ]);
    expect(PartnerAnswerStatus.options).toEqual(['acknowledged', 'inProgress', 'resolved', 'rejected', 'cancelled']);
    expect(CancelReason.options).toEqual(['falseServiceFailureEvent', 'duplicate', 'customerRequest', 'other']);
    expect(OutsideSystem.options).toEqual([
      'resourceTroubleManagement',
      'partnerPerformanceManagement',
      'escalationNotification',
      'closeProcess',
    ]);
    expect(EscalationReason.options).toEqual([
      'jeopardy',
      'breach',
      'reEscalation',
      'taskOverdue',
      'partnerLate',
      'outsideSystemFailing',
      'partnerInJeopardy',
      'partnerPromiseLate',
      'resolved',
    ]);
    expect(HistoryAction.options).toEqual([
      'opened',
      'analysisAdded',
      'taskAssigned',
      'taskReassigned',
      'taskDispatched',
      'taskUpdated',
      'taskOverdue',
      'statusChanged',
      'troubleReportRequested',
      'troubleReportCreated',
      'troubleReportUpdated',
      'partnerRequestSent',
      'partnerRequestCreated',
      'partnerUpdated',
      'partnerLate',
      'assigneesNotified',
      'escalated',
      'cleared',
      'clearanceRejected',
      'closed',
      'cancelled',
      'outsideSystemFailed',
      'severityChanged',
      'maintenanceHeld',
      'maintenanceReleased',
      'grouped',
      'ungrouped',
      'joinedGroup',
      'leftGroup',
    ]);
  });

  it('a report carries the statuses of its trouble reports, partner requests and closure by name', () => {
    const shape = Report.shape;
    expect(
      shape.troubleReports.element.shape.status.options.flatMap((o: { options?: string[]; value?: string }) => o.options ?? [o.value]),
    ).toEqual(['requested', ...TroubleTicketStatus.options]);
    expect(shape.partnerRequests.element.shape.status.options).toEqual([
      'requested',
      'acknowledged',
      'inProgress',
      'resolved',
      'rejected',
      'cancelled',
    ]);
    expect(shape.closure.unwrap().shape.how.options).toEqual(['confirmed', 'acceptanceWindowExpired']);
  });
});

describe('actors and due times', () => {
  it('an actor is trimmed and must not be blank', () => {
    expect(Actor.parse('  noc.anna ')).toBe('noc.anna');
    expect(Actor.safeParse('   ').success).toBe(false);
    expect(Actor.safeParse('x'.repeat(201)).success).toBe(false);
  });

  it('a due time is an ISO date-time or a positive duration of at most 366 days', () => {
    for (const ok of ['2026-11-25T12:00:00Z', '2h', 'PT30M', 1, 366 * 24 * HOUR, '366d'])
      expect(DueTime.safeParse(ok).success, String(ok)).toBe(true);
    for (const bad of ['later', '', 0, -1, 366 * 24 * HOUR + 1, '367d', 'P99999999W', '+275760-09-13T00:00:00.001Z', Number.NaN]) {
      const parsed = DueTime.safeParse(bad);
      expect(parsed.success, String(bad)).toBe(false);
    }
    expect(DueTime.safeParse('later').error?.issues[0]).toMatchObject({
      code: 'custom',
      message: expect.stringMatching(/^expected an ISO date-time or a duration from now of at most 366 days/),
    });
  });

  it('resolves a due time from now, or as the instant given', () => {
    expect(resolveDueTime(2 * HOUR, T0)).toBe(T0 + 2 * HOUR);
    expect(resolveDueTime(1.6, T0)).toBe(T0 + 2);
    expect(resolveDueTime('2h', T0)).toBe(T0 + 2 * HOUR);
    expect(resolveDueTime('2026-11-25T12:00:00Z', T0)).toBe(Date.parse('2026-11-25T12:00:00Z'));
  });
});

describe('partner update', () => {
  it('needs an external id or a request id, and says so on the external id', () => {
    expect(PartnerUpdate.safeParse({ externalId: 'spdr-R-1-pr-acme-X', status: 'resolved' }).success).toBe(true);
    expect(PartnerUpdate.safeParse({ requestId: 'REQ-1', status: 'resolved' }).success).toBe(true);
    const missing = PartnerUpdate.safeParse({ status: 'resolved' });
    expect(missing.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['externalId', 'one of externalId or requestId is required'],
    ]);
  });
});
