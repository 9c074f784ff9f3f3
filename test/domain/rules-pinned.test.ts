/**
 * Rules the mutation run found unpinned (npm run test:mutation): external ids, the root-cause
 * refinement, threshold ordering and the ladder's sort order. Written against the public API
 * (src/domain/index.ts), so they hold however the core's files are split.
 */
import { describe, expect, it } from 'vitest';
import {
  JeopardyPolicyOverride,
  ORIGINATING_REPORT_ROLE,
  RootCause,
  Thresholds,
  escalationLadder,
  partnerRequestExternalId,
  reportIdFromExternalId,
  reportWorkflowId,
  resolvePolicy,
  troubleTicketExternalId,
} from '../../src/domain';
import { HOUR, MINUTE } from './fixtures';

describe('external ids', () => {
  it('name the report, the marker and the resource, in that order', () => {
    expect(reportWorkflowId('R-1001')).toBe('spdr-R-1001');
    expect(troubleTicketExternalId('R-1001', 'PE-7')).toBe('spdr-R-1001-rtr-PE-7');
    expect(partnerRequestExternalId('R-1001', 'acme-transport', 'FIB-9')).toBe('spdr-R-1001-pr-acme-transport-FIB-9');
    expect(ORIGINATING_REPORT_ROLE).toBe('originatingServicePerformanceDegradationReport');
  });

  it('route back to their report, also when the report id contains dashes', () => {
    expect(reportIdFromExternalId(troubleTicketExternalId('R-1001', 'PE-7'))).toBe('R-1001');
    expect(reportIdFromExternalId(partnerRequestExternalId('2026-11-25-0042', 'acme', 'MW-3'))).toBe('2026-11-25-0042');
    // The shortest report id wins: the first marker ends it.
    expect(reportIdFromExternalId('spdr-R-1-rtr-X-rtr-Y')).toBe('R-1');
  });

  it('refuse what is not one of theirs', () => {
    for (const id of [
      '',
      'spdr-R-1',
      'spdr-R-1-rtr-',
      'spdr--rtr-PE-7',
      'xspdr-R-1-rtr-PE-7',
      'SPDR-R-1-rtr-PE-7',
      'spdr-R-1-tt-PE-7',
      'TT-000001',
    ]) {
      expect(reportIdFromExternalId(id), id).toBeUndefined();
    }
  });
});

describe('root cause', () => {
  const issues = (input: unknown) => {
    const parsed = RootCause.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('a service cause needs nothing more', () => {
    expect(issues({ domain: 'service' })).toEqual([]);
  });

  it('a resource cause needs its resource', () => {
    expect(issues({ domain: 'resource', resourceId: 'PE-7' })).toEqual([]);
    expect(issues({ domain: 'resource' })).toEqual(['resourceId: required when domain is "resource"']);
  });

  it('a partner cause needs both its resource and its party', () => {
    expect(issues({ domain: 'partner', resourceId: 'FIB-9', partyId: 'acme' })).toEqual([]);
    expect(issues({ domain: 'partner', partyId: 'acme' })).toEqual(['resourceId: required when domain is "partner"']);
    expect(issues({ domain: 'partner', resourceId: 'FIB-9' })).toEqual(['partyId: required when domain is "partner"']);
    expect(issues({ domain: 'partner' })).toEqual([
      'resourceId: required when domain is "partner"',
      'partyId: required when domain is "partner"',
    ]);
  });

  it('a party on a resource cause is allowed, and unknown fields are not', () => {
    expect(issues({ domain: 'resource', resourceId: 'PE-7', partyId: 'acme' })).toEqual([]);
    expect(issues({ domain: 'service', owner: 'x' })).toHaveLength(1);
  });
});

describe('threshold ordering', () => {
  const problems = (thresholds: unknown) => {
    const parsed = Thresholds.safeParse(thresholds);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const t = (at: number, action: 'notifyAssignee' | 'escalate', extra: Record<string, unknown> = {}) => ({
    at,
    state: at >= 1 ? 'breached' : 'inJeopardy',
    action,
    ...extra,
  });

  it('accepts strictly increasing fractions with climbing levels, and no thresholds at all', () => {
    expect(problems([])).toEqual([]);
    expect(problems([t(0.5, 'notifyAssignee'), t(0.75, 'escalate'), t(1, 'escalate')])).toEqual([]);
    expect(problems([t(0.5, 'escalate', { level: 2 }), t(1, 'escalate', { level: 3 })])).toEqual([]);
  });

  it('refuses an equal or smaller fraction, naming the threshold', () => {
    expect(problems([t(0.5, 'escalate'), t(0.5, 'escalate')])).toEqual([
      '1.at: thresholds must be listed in strictly increasing "at" order',
    ]);
    expect(problems([t(0.8, 'escalate'), t(0.6, 'escalate')])).toEqual([
      '1.at: thresholds must be listed in strictly increasing "at" order',
    ]);
  });

  it('refuses a level that does not climb, counting implicit levels', () => {
    expect(problems([t(0.5, 'escalate', { level: 2 }), t(0.9, 'escalate', { level: 2 })])).toEqual([
      '1.level: escalation levels must increase (previous level 2)',
    ]);
    // The first escalate is level 1 implicitly, so an explicit level 1 after it does not climb.
    expect(problems([t(0.5, 'escalate'), t(0.9, 'escalate', { level: 1 })])).toEqual([
      '1.level: escalation levels must increase (previous level 1)',
    ]);
    // A notify threshold in between does not count as a level.
    expect(problems([t(0.3, 'escalate'), t(0.5, 'notifyAssignee'), t(0.9, 'escalate', { level: 2 })])).toEqual([]);
  });

  it('refuses a level on a notify threshold', () => {
    expect(problems([t(0.5, 'notifyAssignee', { level: 1 })])).toEqual(['0.level: a notifyAssignee threshold has no escalation level']);
  });

  it('accepts fractions up to 2 and refuses 0 or above 2', () => {
    expect(problems([t(2, 'escalate')])).toEqual([]);
    expect(problems([t(0, 'escalate')])[0]).toMatch(/^0\.at: /);
    expect(problems([t(2.01, 'escalate')])).toEqual([expect.stringMatching(/^0\.at: /)]);
  });
});

describe('escalation ladder order', () => {
  it('takes thresholds by fraction even if a resolved policy lists them out of order', () => {
    const policy = resolvePolicy('critical');
    const shuffled = { ...policy, thresholds: [policy.thresholds[2], policy.thresholds[0], policy.thresholds[1]] };
    expect(escalationLadder(shuffled).map((s) => [s.activeMs / MINUTE, s.action, s.level])).toEqual([
      [120, 'notifyAssignee', 0],
      [180, 'escalate', 1],
      [240, 'escalate', 2],
      [300, 'escalate', 3],
      [360, 'escalate', 4],
    ]);
    expect(policy.thresholds.map((x) => x.at)).toEqual([0.5, 0.75, 1]); // the policy itself is not reordered
  });

  it('re-escalates from the later of the target and the last threshold, and stops at the top level', () => {
    const policy = resolvePolicy(
      'critical',
      JeopardyPolicyOverride.parse({
        thresholds: [
          { at: 0.5, state: 'inJeopardy', action: 'escalate' },
          { at: 1.5, state: 'breached', action: 'escalate' },
        ],
        topLevel: 3,
      }),
    );
    expect(escalationLadder(policy).map((s) => [s.activeMs / HOUR, s.level, s.reason])).toEqual([
      [2, 1, 'jeopardy'],
      [6, 2, 'breach'],
      [7, 3, 'reEscalation'],
    ]);
  });

  it('leaves out escalate thresholds above the top level', () => {
    const policy = resolvePolicy('critical', JeopardyPolicyOverride.parse({ topLevel: 1 }));
    expect(escalationLadder(policy).map((s) => [s.action, s.level])).toEqual([
      ['notifyAssignee', 0],
      ['escalate', 1],
    ]);
  });
});
