/**
 * In-memory stand-ins for the outside systems, for the time-skipping workflow scenarios (the
 * workflow is what those tests exercise; the HTTP adapters are tested against the simulators).
 * Creation is keyed like the real systems, so a duplicate create is counted, not hidden.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EffectOf } from '../../src/domain';
import type { ReportSettings, SpdrActivities } from '../../src/activities/types';

export interface FakeSystems {
  activities: SpdrActivities;
  /** Create calls that reached the trouble system, per key (a retry that fails counts too). */
  createAttempts: Map<string, number>;
  /** Tickets that exist, per key: exactly one each when creation is idempotent. */
  tickets: Map<string, { ticketId: string; status: string; creations: number }>;
  partnerRequests: Map<string, { requestId: string; status: string; creations: number }>;
  escalations: EffectOf<'notifyEscalation'>[];
  assigneeNotices: EffectOf<'notifyAssignee'>[];
  dispatched: EffectOf<'dispatchTask'>[];
  closeNotices: EffectOf<'informClose'>[];
  cancelledTickets: string[];
  cancelledPartnerRequests: string[];
  /** Make the next N create-trouble-report calls fail (retryably) after committing. */
  failNextCreates(n: number): void;
}

export function fakeSystems(settings: Partial<ReportSettings> = {}): FakeSystems {
  let failCreates = 0;
  let seq = 0;
  const s: FakeSystems = {
    createAttempts: new Map(),
    tickets: new Map(),
    partnerRequests: new Map(),
    escalations: [],
    assigneeNotices: [],
    dispatched: [],
    closeNotices: [],
    cancelledTickets: [],
    cancelledPartnerRequests: [],
    failNextCreates(n) {
      failCreates = n;
    },
    activities: {
      async reportSettings() {
        return { policyDefaults: {}, outsideFailureEscalateAfterMs: 15 * 60_000, ...settings };
      },
      async createTroubleReport(e) {
        s.createAttempts.set(e.key, (s.createAttempts.get(e.key) ?? 0) + 1);
        let ticket = s.tickets.get(e.key);
        if (!ticket) {
          ticket = { ticketId: `TT-${++seq}`, status: 'acknowledged', creations: 0 };
          s.tickets.set(e.key, ticket);
          ticket.creations += 1;
        }
        if (failCreates > 0) {
          failCreates -= 1;
          // The server committed, then the answer was lost: the retry must not create a second ticket.
          throw ApplicationFailure.retryable('resource trouble management: create timed out', 'OutsideSystemUnavailable');
        }
        return { ticketId: ticket.ticketId, status: ticket.status };
      },
      async cancelTroubleReport(e) {
        s.cancelledTickets.push(e.key);
        const t = s.tickets.get(e.key);
        if (t) t.status = 'cancelled';
      },
      async createPartnerRequest(e) {
        let r = s.partnerRequests.get(e.key);
        if (!r) {
          r = { requestId: `PR-${++seq}`, status: 'acknowledged', creations: 1 };
          s.partnerRequests.set(e.key, r);
        }
        return { requestId: r.requestId, status: r.status };
      },
      async cancelPartnerRequest(e) {
        s.cancelledPartnerRequests.push(e.key);
      },
      async dispatchTask(e) {
        s.dispatched.push(e);
      },
      async notifyEscalation(e) {
        s.escalations.push(e);
      },
      async notifyAssignee(e) {
        s.assigneeNotices.push(e);
      },
      async informClose(e) {
        s.closeNotices.push(e);
      },
    },
  };
  return s;
}
