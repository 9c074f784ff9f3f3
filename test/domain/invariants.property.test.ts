/**
 * Property tests: random sequences of messages (valid and not), shell facts and time advances
 * never break the report's invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Effect,
  Report as ReportSchema,
  applyCommand,
  isFinal,
  nextWakeUp,
  receive,
  tick,
  type Command,
  type Report,
} from '../../src/domain';
import { HOUR, MINUTE, T0, deepFreeze, open } from './fixtures';

const actors = fc.constantFrom('noc.anna', 'duty.manager', 'bob');
const taskIds = fc.constantFrom('t1', 't2', 't3', 'rtr-PE-7', 'rtr-MW-3');
const resources = fc.constantFrom('PE-7', 'PE-8', 'MW-3');
const parties = fc.constantFrom('acme', 'beta');
const troubleKeys = fc.constantFrom('spdr-R-1001-rtr-PE-7', 'spdr-R-1001-rtr-PE-8', 'spdr-R-1001-rtr-MW-3', 'nope');
const partnerKeys = fc.constantFrom('spdr-R-1001-pr-acme-MW-3', 'spdr-R-1001-pr-beta-PE-8', 'spdr-R-1001-pr-acme-PE-7', 'nope');
const tickets = fc.constantFrom('TT-1', 'TT-2');
const requestIds = fc.constantFrom('REQ-1', 'REQ-2');
const garbage = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.object({ maxDepth: 2 }));
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const strip = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const messages: fc.Arbitrary<Command> = fc.oneof(
  fc
    .record({
      author: actors,
      summary: fc.constantFrom('looking', 'PE-7 drops', ''),
      rootCause: opt(
        fc
          .record({ domain: fc.constantFrom('service', 'resource', 'partner'), resourceId: opt(resources), partyId: opt(parties) })
          .map(strip),
      ),
    })
    .map((payload) => ({ name: 'addAnalysis' as const, payload: strip(payload) })),
  fc
    .record({
      by: actors,
      taskId: taskIds,
      kind: fc.constantFrom('analysis', 'repair', 'verification', 'restoration'),
      assignee: actors,
      due: opt(fc.constantFrom('30m', '2h', 'PT4H', '2026-11-25T12:00:00Z', 'later')),
      dependsOn: opt(fc.array(taskIds, { maxLength: 2 })),
    })
    .map((payload) => ({ name: 'assign' as const, payload: strip(payload) })),
  fc
    .record({ by: actors, taskId: taskIds, status: fc.constantFrom('inProgress', 'done', 'cancelled', 'planned') })
    .map((payload) => ({ name: 'updateTask' as const, payload })),
  fc
    .record({ by: actors, status: fc.constantFrom('inProgress', 'pending', 'held', 'cleared'), reason: fc.constantFrom('because', '') })
    .map((payload) => ({ name: 'setStatus' as const, payload })),
  fc
    .record({ by: actors, reason: fc.constantFrom('falseServiceFailureEvent', 'duplicate', 'whim') })
    .map((payload) => ({ name: 'cancel' as const, payload })),
  fc.record({ by: actors, resolution: fc.constantFrom('fixed', '') }).map((payload) => ({ name: 'clear' as const, payload })),
  fc.record({ by: actors }).map((payload) => ({ name: 'confirmClosure' as const, payload })),
  fc.record({ by: actors, reason: fc.constantFrom('still slow') }).map((payload) => ({ name: 'rejectClearance' as const, payload })),
  fc
    .record({
      by: actors,
      severity: fc.constantFrom('critical', 'major', 'minor', 'warning'),
      reason: fc.constantFrom('more cells affected', ''),
    })
    .map((payload) => ({ name: 'setSeverity' as const, payload })),
  fc
    .record({
      externalId: opt(troubleKeys),
      ticketId: opt(tickets),
      status: fc.constantFrom('acknowledged', 'inProgress', 'pending', 'resolved', 'closed', 'cancelled', 'rejected'),
    })
    .map((payload) => ({ name: 'resourceTroubleUpdate' as const, payload: strip(payload) })),
  fc
    .record({
      externalId: opt(partnerKeys),
      requestId: opt(requestIds),
      partyId: opt(parties),
      status: fc.constantFrom('acknowledged', 'inProgress', 'resolved', 'rejected', 'cancelled'),
    })
    .map((payload) => ({ name: 'partnerUpdate' as const, payload: strip(payload) })),
  fc.record({ key: troubleKeys, ticketId: tickets }).map((payload) => ({ name: 'troubleReportCreated' as const, payload })),
  fc.record({ key: partnerKeys, requestId: requestIds }).map((payload) => ({ name: 'partnerRequestCreated' as const, payload })),
  fc
    .record({
      system: fc.constantFrom('resourceTroubleManagement', 'escalationNotification'),
      operation: fc.constant('create'),
      message: fc.constant('503'),
    })
    .map((payload) => ({ name: 'outsideSystemFailed' as const, payload })),
  fc.record({
    name: fc.constantFrom('addAnalysis', 'assign', 'cancel', 'clear', 'partnerUpdate', 'resourceTroubleUpdate'),
    payload: garbage,
  }) as fc.Arbitrary<Command>,
);

type Step = { kind: 'message'; command: Command; advance: number } | { kind: 'tick'; advance: number };
const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('message' as const), command: messages, advance: fc.integer({ min: 0, max: 45 * MINUTE }) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), advance: fc.integer({ min: 0, max: 3 * HOUR }) }) },
  ),
  { maxLength: 40 },
);
const policies = fc.constantFrom(
  undefined,
  { pauseWhenHeld: true },
  { resolutionTarget: '1h', topLevel: 2 },
  { resolutionTarget: '30m', reEscalateEvery: '5m' },
);

/** Paused ms up to `now`, recomputed independently from the status changes in the history. */
function pausedFromHistory(report: Report, now: number): number {
  const pausing = new Set(['pending', 'cleared', 'closed', 'cancelled', ...(report.jeopardy.policy.pauseWhenHeld ? ['held'] : [])]);
  let paused = 0;
  let status = 'acknowledged';
  let since = Date.parse(report.openedAt);
  for (const entry of report.history) {
    if (!entry.toStatus) continue;
    const at = Date.parse(entry.at);
    if (pausing.has(status)) paused += at - since;
    status = entry.toStatus;
    since = at;
  }
  if (pausing.has(status)) paused += now - since;
  return paused;
}

const TROUBLE_RANK: Record<string, number> = {
  requested: 0,
  acknowledged: 1,
  inProgress: 2,
  pending: 2,
  held: 2,
  resolved: 3,
  closed: 4,
  cancelled: 4,
  rejected: 4,
};

function checkReport(report: Report): void {
  expect(() => ReportSchema.parse(report)).not.toThrow();
  const resourcesWithTrouble = report.troubleReports.map((troubleReport) => troubleReport.resourceId);
  expect(new Set(resourcesWithTrouble).size).toBe(resourcesWithTrouble.length);
  expect(new Set(report.tasks.map((task) => task.taskId)).size).toBe(report.tasks.length);
  for (const task of report.tasks) {
    if (task.status === 'dispatched' || task.status === 'inProgress' || task.status === 'done') {
      for (const dependency of task.dependsOn)
        expect(report.tasks.find((candidate) => candidate.taskId === dependency)?.status).toBe('done');
    }
  }
  expect(report.jeopardy.escalationLevel).toBeLessThanOrEqual(report.jeopardy.policy.topLevel);
  expect(Date.parse(report.jeopardy.deadline)).toBe(
    Date.parse(report.openedAt) + report.jeopardy.policy.resolutionTarget + report.jeopardy.pausedMs,
  );
}

/** `evaluatedAt`: the instant the jeopardy view of `after` was computed, when this step recomputed it. */
function checkStep(before: Report, after: Report, evaluatedAt: number | undefined): void {
  if (isFinal(before.status)) expect(after.status).toBe(before.status);
  expect(after.history.length).toBeGreaterThanOrEqual(before.history.length);
  expect(after.history.slice(0, before.history.length)).toEqual(before.history);
  expect(after.analysis.slice(0, before.analysis.length)).toEqual(before.analysis);
  expect(after.rejectedInputs.slice(0, before.rejectedInputs.length)).toEqual(before.rejectedInputs);
  expect(after.jeopardy.escalationLevel).toBeGreaterThanOrEqual(before.jeopardy.escalationLevel);
  const moved = Date.parse(after.jeopardy.deadline) - Date.parse(before.jeopardy.deadline);
  // Only setSeverity changes the target (retroactively, from the clock's start); otherwise only pauses move the deadline.
  const retargeted = after.jeopardy.policy.resolutionTarget - before.jeopardy.policy.resolutionTarget;
  if (retargeted === 0) expect(moved).toBeGreaterThanOrEqual(0);
  else expect(after.severity).not.toBe(before.severity);
  expect(moved).toBe(after.jeopardy.pausedMs - before.jeopardy.pausedMs + retargeted);
  if (evaluatedAt !== undefined) expect(after.jeopardy.pausedMs).toBe(pausedFromHistory(after, evaluatedAt));
  for (const troubleReport of before.troubleReports) {
    const later = after.troubleReports.find((candidate) => candidate.key === troubleReport.key);
    expect(later).toBeDefined();
    expect(TROUBLE_RANK[later!.status]).toBeGreaterThanOrEqual(TROUBLE_RANK[troubleReport.status]);
  }
}

describe('invariants under random command sequences', () => {
  it('final statuses stay final, the audit trail only grows, one trouble report per resource, deadlines move only by recorded pauses, escalation only climbs', () => {
    fc.assert(
      fc.property(policies, steps, (jeopardyPolicy, plan) => {
        let report = deepFreeze(open({ partnerOwnedResources: { 'MW-3': 'acme' }, ...(jeopardyPolicy ? { jeopardyPolicy } : {}) }));
        let now = T0;
        for (const step of plan) {
          now += step.advance;
          const before = report;
          let evaluatedAt: number | undefined;
          if (step.kind === 'tick') {
            const outcome = tick(before, now);
            if (isFinal(before.status)) {
              expect(outcome.report).toBe(before);
              expect(outcome.effects).toEqual([]);
            }
            report = outcome.report;
            if (report !== before) evaluatedAt = now;
            outcome.effects.forEach((effect) => Effect.parse(effect));
          } else {
            const result = applyCommand(before, step.command, now);
            const outcome = receive(before, step.command, now);
            if (result.ok) {
              expect(outcome.report).toEqual(result.report);
              if (result.report !== before) evaluatedAt = now;
              result.effects.forEach((effect) => Effect.parse(effect));
            } else {
              // A rejection records the input and changes nothing else.
              expect(outcome.rejection).toBe(result.reason);
              expect(outcome.effects).toEqual([]);
              expect({ ...outcome.report, rejectedInputs: before.rejectedInputs }).toEqual(before);
              expect(outcome.report.rejectedInputs).toHaveLength(before.rejectedInputs.length + 1);
              expect(outcome.report.rejectedInputs.at(-1)!.payloadPreview.length).toBeLessThanOrEqual(500);
              if (
                isFinal(before.status) &&
                step.command.name !== 'troubleReportCreated' &&
                step.command.name !== 'partnerRequestCreated' &&
                step.command.name !== 'outsideSystemFailed'
              ) {
                expect(result.reason).toBe(`report is ${before.status}`);
              }
            }
            report = outcome.report;
          }
          checkReport(report);
          checkStep(before, report, evaluatedAt);
          if (isFinal(report.status)) expect(nextWakeUp(report)).toBeUndefined();
          const wakeUp = nextWakeUp(report);
          if (wakeUp !== undefined) {
            // Nothing falls due before the announced wake-up, and waking up then does something.
            if (wakeUp > now) expect(tick(report, wakeUp - 1).effects).toEqual([]);
            const woken = tick(report, Math.max(now, wakeUp));
            expect(woken.effects.length > 0 || woken.report.status !== report.status).toBe(true);
          }
          report = deepFreeze(report);
        }
      }),
      { numRuns: Number(process.env.DOMAIN_PROPERTY_RUNS ?? 300) },
    );
  }, 600_000);

  it('a report left alone escalates exactly once per level, in order, never beyond the top level', () => {
    fc.assert(
      fc.property(policies, fc.array(fc.integer({ min: 1, max: 2 * HOUR }), { maxLength: 30 }), (jeopardyPolicy, advances) => {
        let report = open(jeopardyPolicy ? { jeopardyPolicy } : {});
        let now = T0;
        const levels: number[] = [];
        for (const advance of advances) {
          now += advance;
          const outcome = tick(deepFreeze(report), now);
          report = outcome.report;
          for (const effect of outcome.effects) if (effect.type === 'notifyEscalation') levels.push(effect.level);
        }
        expect(levels).toEqual(levels.map((_, index) => index + 1));
        expect(levels.length).toBeLessThanOrEqual(report.jeopardy.policy.topLevel);
        expect(report.jeopardy.escalationLevel).toBe(levels.length);
        // Then left alone until nothing more falls due: the whole ladder, once each, up to the top
        // level exactly (so an empty ladder, or one that never stops, fails).
        for (let wakeUps = 0; wakeUps < 100; wakeUps++) {
          const wakeUp = nextWakeUp(report);
          if (wakeUp === undefined) break;
          now = Math.max(now, wakeUp);
          const outcome = tick(deepFreeze(report), now);
          report = outcome.report;
          for (const effect of outcome.effects) if (effect.type === 'notifyEscalation') levels.push(effect.level);
        }
        const top = report.jeopardy.policy.topLevel;
        expect(levels).toEqual(Array.from({ length: top }, (_, index) => index + 1));
        expect(report.jeopardy).toMatchObject({ state: 'breached', escalationLevel: top });
        expect(nextWakeUp(report)).toBeUndefined();
      }),
      { numRuns: Number(process.env.DOMAIN_PROPERTY_RUNS ?? 200) },
    );
  });
});
