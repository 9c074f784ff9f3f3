/**
 * Jeopardy policy: how long a report may take (resolution target), when it is in jeopardy or
 * breached (thresholds as fractions of the target), how the escalation ladder climbs, and the
 * other clocks of a report (acceptance window after clearance, partner answer due time).
 */
import { z } from 'zod';
import { sharedSchema } from './shared-schema';
import { DurationSchema } from './duration';

export const Severity = sharedSchema('policy.Severity', () => z.enum(['critical', 'major', 'minor', 'warning']));
export type Severity = z.infer<typeof Severity>;

export const Threshold = sharedSchema('policy.Threshold', () =>
  z.strictObject({
    /** Fraction of the resolution target at which the threshold falls due (0 < at <= 2). */
    at: z.number().gt(0).lte(2),
    state: z.enum(['inJeopardy', 'breached']),
    /** `notifyAssignee` informs the assignees and is not an escalation; `escalate` climbs the ladder. */
    action: z.enum(['notifyAssignee', 'escalate']),
    /** Ladder level of an `escalate` threshold; defaults to the previous escalate level + 1. */
    level: z.number().int().min(1).optional(),
  }),
);
export type Threshold = z.infer<typeof Threshold>;

/** Thresholds in increasing `at`, escalate levels strictly increasing, so the ladder only climbs. */
export const Thresholds = sharedSchema('policy.Thresholds', () =>
  z.array(Threshold).superRefine((thresholds, ctx) => {
    let previousAt = 0;
    let previousLevel = 0;
    thresholds.forEach((threshold, index) => {
      if (threshold.at <= previousAt) {
        ctx.addIssue({ code: 'custom', path: [index, 'at'], message: 'thresholds must be listed in strictly increasing "at" order' });
      }
      previousAt = threshold.at;
      if (threshold.action === 'escalate') {
        const level = threshold.level ?? previousLevel + 1;
        if (level <= previousLevel) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'level'],
            message: `escalation levels must increase (previous level ${previousLevel})`,
          });
        }
        previousLevel = level;
      } else if (threshold.level !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index, 'level'], message: 'a notifyAssignee threshold has no escalation level' });
      }
    });
  }),
);

/** A report's own policy (customer SLA) or a configured default: every field optional, durations as text or ms. */
export const JeopardyPolicyOverride = sharedSchema('policy.JeopardyPolicyOverride', () =>
  z.strictObject({
    resolutionTarget: DurationSchema.optional(),
    thresholds: Thresholds.optional(),
    /** Re-escalation interval while breached; defaults to 25% of the resolution target. */
    reEscalateEvery: DurationSchema.optional(),
    topLevel: z.number().int().min(1).max(20).optional(),
    pauseWhenHeld: z.boolean().optional(),
    acceptanceWindow: DurationSchema.optional(),
    partnerAnswerDue: DurationSchema.optional(),
    /** Response clock target: met by the first analysis, assignment or move to inProgress. */
    responseTarget: DurationSchema.optional(),
    /** Update cadence: the longest gap between analyses while the report is open. */
    updateEvery: DurationSchema.optional(),
    /** Name of a business calendar of `SPDR_CALENDARS` whose open hours the targets count. */
    calendar: z.string().min(1).optional(),
    /** Where the clocks start: when the report was opened (default) or, retroactively, at `detectedAt`. */
    clockStartsAt: z.enum(['opened', 'detected']).optional(),
  }),
);
/** The override as it is typed in (durations as text or ms). */
export type JeopardyPolicyOverrideInput = z.input<typeof JeopardyPolicyOverride>;
/** The override after validation (durations in ms). */
export type JeopardyPolicyOverride = z.output<typeof JeopardyPolicyOverride>;

/** A resolved policy; every duration in milliseconds. It re-validates unchanged through `JeopardyPolicyOverride`. */
export const JeopardyPolicy = sharedSchema('policy.JeopardyPolicy', () =>
  z.strictObject({
    resolutionTarget: z.number().int().positive(),
    thresholds: z.array(Threshold),
    reEscalateEvery: z.number().int().positive(),
    topLevel: z.number().int().min(1),
    pauseWhenHeld: z.boolean(),
    acceptanceWindow: z.number().int().positive(),
    partnerAnswerDue: z.number().int().positive(),
    // Second-edition clocks: present only when some layer sets them, so older reports keep their exact policy.
    responseTarget: z.number().int().positive().optional(),
    updateEvery: z.number().int().positive().optional(),
    calendar: z.string().min(1).optional(),
    clockStartsAt: z.enum(['opened', 'detected']).optional(),
  }),
);
export type JeopardyPolicy = z.infer<typeof JeopardyPolicy>;

/** Configured defaults per severity (e.g. from the worker configuration), each a partial policy. */
export type PolicyDefaults = Partial<Record<Severity, JeopardyPolicyOverride>>;

const HOUR = 3_600_000;

export const DEFAULT_RESOLUTION_TARGET: Readonly<Record<Severity, number>> = {
  critical: 4 * HOUR,
  major: 8 * HOUR,
  minor: 24 * HOUR,
  warning: 72 * HOUR,
};

export const DEFAULT_THRESHOLDS: readonly Threshold[] = [
  { at: 0.5, state: 'inJeopardy', action: 'notifyAssignee' },
  { at: 0.75, state: 'inJeopardy', action: 'escalate', level: 1 },
  { at: 1, state: 'breached', action: 'escalate', level: 2 },
];

export const DEFAULT_TOP_LEVEL = 4;
export const DEFAULT_ACCEPTANCE_WINDOW = 72 * HOUR;
export const DEFAULT_PARTNER_ANSWER_DUE = 4 * HOUR;

/**
 * The policy of one report: built-in severity defaults, then configured defaults for that
 * severity, then the report's own override; later layers win field by field (thresholds as a whole).
 * `reEscalateEvery`, unless some layer sets it, is 25% of the resulting resolution target.
 */
export function resolvePolicy(severity: Severity, override?: JeopardyPolicyOverride, configuredDefaults?: PolicyDefaults): JeopardyPolicy {
  const layers = [configuredDefaults?.[severity], override].filter((layer): layer is JeopardyPolicyOverride => layer !== undefined);
  const pick = <K extends keyof JeopardyPolicyOverride>(key: K): JeopardyPolicyOverride[K] | undefined => {
    let value: JeopardyPolicyOverride[K] | undefined;
    for (const layer of layers) if (layer[key] !== undefined) value = layer[key];
    return value;
  };
  const resolutionTarget = pick('resolutionTarget') ?? DEFAULT_RESOLUTION_TARGET[severity];
  const optional = {
    responseTarget: pick('responseTarget'),
    updateEvery: pick('updateEvery'),
    calendar: pick('calendar'),
    clockStartsAt: pick('clockStartsAt'),
  };
  return {
    ...(Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) as typeof optional),
    resolutionTarget,
    thresholds: (pick('thresholds') ?? DEFAULT_THRESHOLDS).map((threshold) => ({ ...threshold })),
    reEscalateEvery: pick('reEscalateEvery') ?? Math.max(1, Math.round(resolutionTarget / 4)),
    topLevel: pick('topLevel') ?? DEFAULT_TOP_LEVEL,
    pauseWhenHeld: pick('pauseWhenHeld') ?? false,
    acceptanceWindow: pick('acceptanceWindow') ?? DEFAULT_ACCEPTANCE_WINDOW,
    partnerAnswerDue: pick('partnerAnswerDue') ?? DEFAULT_PARTNER_ANSWER_DUE,
  };
}
