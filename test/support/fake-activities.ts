/**
 * In-memory stand-ins for the outside systems, for the time-skipping workflow scenarios (the
 * workflow is what those tests exercise; the HTTP adapters are tested against the simulators).
 *
 * The systems themselves are lax: they store a new record on every create call they receive,
 * whatever its key, and count it. What keeps creation to one record per key is what the real
 * activities do (look the key up before creating, see `lookupBeforeCreate` in
 * src/integrations/tmfResource.ts), copied here and switchable off, plus the workflow calling
 * create once per cause. So a duplicate create is counted, never hidden by the double.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EffectOf } from '../../src/domain';
import type { ReportSettings, SpdrActivities } from '../../src/activities/types';
import type { MaintenanceActivities } from '../../src/activities/maintenance';

export interface FakeRecord {
  /** Id of the first record stored for the key (what a lookup finds). */
  id: string;
  status: string;
  /** Records stored for this key: every create call that reached the system and committed. */
  creations: number;
}

export interface FakeSystems {
  activities: SpdrActivities & MaintenanceActivities;
  /** Create calls that reached the trouble system, per key (a retry that fails counts too). */
  createAttempts: Map<string, number>;
  /** Tickets that exist, per key: `creations` is 1 for each when creation is idempotent. */
  tickets: Map<string, FakeRecord & { ticketId: string }>;
  /** Create calls that reached the partner system, per key. */
  partnerAttempts: Map<string, number>;
  partnerRequests: Map<string, FakeRecord & { requestId: string }>;
  escalations: EffectOf<'notifyEscalation'>[];
  assigneeNotices: EffectOf<'notifyAssignee'>[];
  dispatched: EffectOf<'dispatchTask'>[];
  closeNotices: EffectOf<'informClose'>[];
  cancelledTickets: string[];
  cancelledPartnerRequests: string[];
  /** Make the next N create-trouble-report calls fail (retryably) after committing. */
  failNextCreates(n: number): void;
  /** Make the next N create-partner-request calls fail (retryably) after committing. */
  failNextPartnerCreates(n: number): void;
}

export interface FakeSystemsOptions {
  /** Look the key up before creating, like the real activities (default true); false shows what the lookup prevents. */
  lookupBeforeCreate?: boolean;
}

const record = (id: string): FakeRecord => ({ id, status: 'acknowledged', creations: 0 });

/** A create reaching a lax system: counted; with `lookup`, the record already stored for the key is answered. */
function laxCreate<R extends FakeRecord>(
  attempts: Map<string, number>,
  records: Map<string, R>,
  key: string,
  lookup: boolean,
  make: () => R,
): R {
  attempts.set(key, (attempts.get(key) ?? 0) + 1);
  let found = lookup ? records.get(key) : undefined;
  if (!found) {
    // The lax system stores a record for every create it receives.
    found = records.get(key) ?? make();
    found.creations += 1;
    records.set(key, found);
  }
  return found;
}

/** Look-ups that find no maintenance window (maintenance.test.ts brings its own). */
const NO_MAINTENANCE_WINDOWS = {
  maintenanceWindowFor: async () => ({}),
  reportsInScope: async (): Promise<string[]> => [],
};

export function fakeSystems(settings: Partial<ReportSettings> = {}, options: FakeSystemsOptions = {}): FakeSystems {
  const lookup = options.lookupBeforeCreate ?? true;
  let failCreates = 0;
  let failPartnerCreates = 0;
  let seq = 0;
  const s: FakeSystems = {
    createAttempts: new Map(),
    tickets: new Map(),
    partnerAttempts: new Map(),
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
    failNextPartnerCreates(n) {
      failPartnerCreates = n;
    },
    activities: {
      ...NO_MAINTENANCE_WINDOWS,
      async reportSettings() {
        return { policyDefaults: {}, outsideFailureEscalateAfterMs: 15 * 60_000, ...settings };
      },
      async createTroubleReport(e) {
        const ticket = laxCreate(s.createAttempts, s.tickets, e.key, lookup, () => {
          const id = `TT-${++seq}`;
          return { ...record(id), ticketId: id };
        });
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
        const request = laxCreate(s.partnerAttempts, s.partnerRequests, e.key, lookup, () => {
          const id = `PR-${++seq}`;
          return { ...record(id), requestId: id };
        });
        if (failPartnerCreates > 0) {
          failPartnerCreates -= 1;
          throw ApplicationFailure.retryable('partner performance management: create timed out', 'OutsideSystemUnavailable');
        }
        return { requestId: request.requestId, status: request.status };
      },
      async cancelPartnerRequest(e) {
        s.cancelledPartnerRequests.push(e.key);
        const r = s.partnerRequests.get(e.key);
        if (r) r.status = 'cancelled';
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
