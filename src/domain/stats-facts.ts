/**
 * The figures `starter stats` needs from one ended report, as one small object: the workflow puts
 * it in its memo when the report reaches a final status, so stats reads list pages only; a report
 * without it (opened before) gets the same object from its final report (the workflow result).
 * One function computes it for both, so the two paths cannot disagree.
 */
import { z } from 'zod';
import type { Report } from './report-state';
import { ReportStatus } from './vocabulary';

/** Version of the object's shape; a memo with another version is read from the result instead. */
export const STATS_FACTS_VERSION = 1;

const PartnerFacts = z.object({
  requests: z.number().int().nonnegative(),
  /** Requests escalated for a late answer. */
  late: z.number().int().nonnegative(),
  /** Seconds past the due time of each request answered (resolved) late. */
  lateBySeconds: z.array(z.number()),
});

export const StatsFacts = z.object({
  v: z.literal(STATS_FACTS_VERSION),
  severity: z.string(),
  serviceId: z.string(),
  status: ReportStatus,
  openedAt: z.string(),
  /** The first status change out of `acknowledged` (work started). */
  workStartedAt: z.string().optional(),
  clearedAt: z.string().optional(),
  /** The resolution deadline. */
  deadline: z.string(),
  /** Cleared at or before the deadline. */
  deadlineMet: z.boolean(),
  /** Cleared after the deadline, or ended breached. */
  breached: z.boolean(),
  /** `escalated` entries of the history, by ladder level. */
  escalationsByLevel: z.record(z.string(), z.number().int().nonnegative()),
  partners: z.record(z.string(), PartnerFacts),
});
export type StatsFacts = z.infer<typeof StatsFacts>;

function isBreached(r: Report): boolean {
  if (r.clearance) return Date.parse(r.clearance.at) > Date.parse(r.jeopardy.deadline);
  return r.jeopardy.state === 'breached';
}

function workStartedAt(r: Report): string | undefined {
  return r.history.find((h) => h.fromStatus === 'acknowledged' && h.toStatus !== undefined && h.toStatus !== 'acknowledged')?.at;
}

function escalationsByLevel(r: Report): Record<string, number> {
  const levels: Record<string, number> = {};
  for (const h of r.history) {
    if (h.action !== 'escalated') continue;
    const level = /^level (\d+)/.exec(h.detail ?? '')?.[1];
    if (level !== undefined) levels[level] = (levels[level] ?? 0) + 1;
  }
  return levels;
}

function partnerFacts(r: Report): StatsFacts['partners'] {
  const partners: StatsFacts['partners'] = {};
  for (const p of r.partnerRequests) {
    const entry = (partners[p.partyId] ??= { requests: 0, late: 0, lateBySeconds: [] });
    entry.requests += 1;
    if (p.lateEscalated) entry.late += 1;
    if (p.status === 'resolved' && p.lastUpdateAt && Date.parse(p.lastUpdateAt) > Date.parse(p.due))
      entry.lateBySeconds.push((Date.parse(p.lastUpdateAt) - Date.parse(p.due)) / 1000);
  }
  return partners;
}

/** The stats facts of one (ended) report. */
export function statsFacts(r: Report): StatsFacts {
  const started = workStartedAt(r);
  const breached = isBreached(r);
  return {
    v: STATS_FACTS_VERSION,
    severity: r.severity,
    serviceId: r.service.id,
    status: r.status,
    openedAt: r.openedAt,
    ...(started !== undefined ? { workStartedAt: started } : {}),
    ...(r.clearance ? { clearedAt: r.clearance.at } : {}),
    deadline: r.jeopardy.deadline,
    deadlineMet: r.clearance !== undefined && !breached,
    breached,
    escalationsByLevel: escalationsByLevel(r),
    partners: partnerFacts(r),
  };
}

/** A memo value read back: the facts when it is a current-version facts object, else undefined. */
export function parseStatsFacts(value: unknown): StatsFacts | undefined {
  const parsed = StatsFacts.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
