/**
 * `starter stats`: service-quality figures over ended reports, computed from the reports
 * themselves. The search attributes select them (type, closed since, service, severity); each
 * report's stats facts (domain/stats-facts.ts) give the rest: from its memo, written when the report
 * reached a final status, so the list pages carry everything; from its final report (the workflow
 * result) for reports that ended without one.
 *
 * - MTTA: opening to the first status change out of `acknowledged` (work started), p50/p90.
 * - MTTR: opening to clearance, p50/p90 (reports that were cleared).
 * - SLA compliance: cleared reports cleared at or before their resolution deadline, in %.
 * - Breaches: reports cleared after their deadline, or ended breached.
 * - Escalations by level: the `escalated` entries of the reports' history.
 * - Partner lateness: requests per partner, how many were escalated late, p50 lateness of late answers.
 */
import type { Client } from '@temporalio/client';
import { parseStatsFacts, statsFacts, type Report, type StatsFacts } from '../domain';
import { STATS_FACTS_MEMO_KEY, WORKFLOW_TYPE } from '../contract';
import { SpdrInvalidInputError } from './errors';

export interface Percentiles {
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
}

export interface Compliance {
  cleared: number;
  inTime: number;
  percent: number | null;
}

export interface Stats {
  reports: number;
  since?: string;
  filter: { service?: string; severity?: string };
  bySeverity: Record<string, { reports: number; mtta: Percentiles; mttr: Percentiles; sla: Compliance; breaches: number }>;
  slaByService: Record<string, Compliance>;
  breaches: number;
  escalationsByLevel: Record<string, number>;
  partners: Record<string, { requests: number; late: number; p50LateSeconds: number | null }>;
  topServices: { serviceId: string; reports: number }[];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50Seconds: percentile(sorted, 50), p90Seconds: percentile(sorted, 90) };
}

function compliance(cleared: number, inTime: number): Compliance {
  return { cleared, inTime, percent: cleared === 0 ? null : Math.round((inTime / cleared) * 1000) / 10 };
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

export function computeStats(facts: readonly StatsFacts[], options: { since?: string; service?: string; severity?: string } = {}): Stats {
  const sev = new Map<string, { reports: number; mtta: number[]; mttr: number[]; cleared: number; inTime: number; breaches: number }>();
  const services = new Map<string, { reports: number; cleared: number; inTime: number }>();
  const levels: Record<string, number> = {};
  const partners = new Map<string, { requests: number; late: number; lateBy: number[] }>();
  let breaches = 0;
  for (const f of facts) {
    const s = sev.get(f.severity) ?? { reports: 0, mtta: [], mttr: [], cleared: 0, inTime: 0, breaches: 0 };
    sev.set(f.severity, s);
    const svc = services.get(f.serviceId) ?? { reports: 0, cleared: 0, inTime: 0 };
    services.set(f.serviceId, svc);
    s.reports += 1;
    svc.reports += 1;
    if (f.workStartedAt) s.mtta.push(seconds(f.openedAt, f.workStartedAt));
    if (f.clearedAt) {
      s.mttr.push(seconds(f.openedAt, f.clearedAt));
      s.cleared += 1;
      svc.cleared += 1;
    }
    if (f.deadlineMet) {
      s.inTime += 1;
      svc.inTime += 1;
    }
    if (f.breached) {
      s.breaches += 1;
      breaches += 1;
    }
    for (const [level, n] of Object.entries(f.escalationsByLevel)) levels[level] = (levels[level] ?? 0) + n;
    for (const [partyId, p] of Object.entries(f.partners)) {
      const entry = partners.get(partyId) ?? { requests: 0, late: 0, lateBy: [] };
      partners.set(partyId, entry);
      entry.requests += p.requests;
      entry.late += p.late;
      entry.lateBy.push(...p.lateBySeconds);
    }
  }
  const bySeverity: Stats['bySeverity'] = {};
  for (const [name, s] of [...sev].sort(([a], [b]) => a.localeCompare(b)))
    bySeverity[name] = {
      reports: s.reports,
      mtta: percentiles(s.mtta),
      mttr: percentiles(s.mttr),
      sla: compliance(s.cleared, s.inTime),
      breaches: s.breaches,
    };
  const slaByService: Stats['slaByService'] = {};
  for (const [name, s] of [...services].sort(([a], [b]) => a.localeCompare(b))) slaByService[name] = compliance(s.cleared, s.inTime);
  const partnerStats: Stats['partners'] = {};
  for (const [name, p] of [...partners].sort(([a], [b]) => a.localeCompare(b)))
    partnerStats[name] = {
      requests: p.requests,
      late: p.late,
      p50LateSeconds: percentile(
        [...p.lateBy].sort((a, b) => a - b),
        50,
      ),
    };
  const topServices = [...services]
    .map(([serviceId, s]) => ({ serviceId, reports: s.reports }))
    .sort((a, b) => b.reports - a.reports || a.serviceId.localeCompare(b.serviceId))
    .slice(0, 10);
  return {
    reports: facts.length,
    ...(options.since ? { since: options.since } : {}),
    filter: { ...(options.service ? { service: options.service } : {}), ...(options.severity ? { severity: options.severity } : {}) },
    bySeverity,
    slaByService,
    breaches,
    escalationsByLevel: levels,
    partners: partnerStats,
    topServices,
  };
}

const KEYWORD = /^[\w.:-]{1,200}$/;

/** The visibility query selecting ended reports closed since `sinceMs`, by service and severity. */
export function statsQuery(sinceIso: string, service?: string, severity?: string): string {
  if (service !== undefined && !KEYWORD.test(service))
    throw new SpdrInvalidInputError(`--service: letters, digits, . _ : - only (got "${service}")`);
  if (severity !== undefined && !['critical', 'major', 'minor', 'warning'].includes(severity))
    throw new SpdrInvalidInputError(`--severity: one of critical, major, minor, warning (got "${severity}")`);
  const parts = [`WorkflowType = '${WORKFLOW_TYPE}'`, `ExecutionStatus = 'Completed'`, `CloseTime >= '${sinceIso}'`];
  if (service) parts.push(`SpdrServiceId = '${service}'`);
  if (severity) parts.push(`SpdrSeverity = '${severity}'`);
  return parts.join(' AND ');
}

/** Visibility list page size: the server's usual maximum (frontend.visibilityMaxPageSize), fewest round trips. */
export const STATS_PAGE_SIZE = 1000;

export interface FetchedFacts {
  facts: StatsFacts[];
  /** Reports whose facts came from their memo (list pages only). */
  fromMemo: number;
  /** Reports without (current) memo facts, read from their final report instead. */
  fromResult: number;
}

/**
 * The stats facts of the selected ended reports: from each listed report's memo, or for reports
 * that ended without one, from its final report (`concurrency` results at a time).
 */
export async function fetchStatsFacts(client: Client, query: string, concurrency = 32): Promise<FetchedFacts> {
  const facts: StatsFacts[] = [];
  const missing: { workflowId: string; runId: string }[] = [];
  for await (const info of client.workflow.list({ query, pageSize: STATS_PAGE_SIZE })) {
    const memo = parseStatsFacts(info.memo?.[STATS_FACTS_MEMO_KEY]);
    if (memo) facts.push(memo);
    else missing.push({ workflowId: info.workflowId, runId: info.runId });
  }
  const fromMemo = facts.length;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, missing.length) }, async () => {
      while (next < missing.length) {
        const { workflowId, runId } = missing[next++];
        facts.push(statsFacts((await client.workflow.getHandle(workflowId, runId).result()) as Report));
      }
    }),
  );
  return { facts, fromMemo, fromResult: missing.length };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function human(secondsValue: number | null): string {
  if (secondsValue === null) return '–';
  if (secondsValue < 120) return `${Math.round(secondsValue)} s`;
  if (secondsValue < 7200) return `${Math.round(secondsValue / 60)} min`;
  return `${(secondsValue / 3600).toFixed(1)} h`;
}

/** A horizontal bar chart as inline SVG. */
function barChart(title: string, rows: { label: string; value: number; text: string }[], max?: number): string {
  const top = max ?? Math.max(1, ...rows.map((r) => r.value));
  const h = 24;
  const height = rows.length * h + 30;
  const bars = rows
    .map((r, i) => {
      const w = Math.round((r.value / top) * 360);
      const y = 24 + i * h;
      return `<text x="0" y="${y + 15}" font-size="12">${escapeHtml(r.label)}</text><rect x="150" y="${y + 3}" width="${w}" height="16" fill="#2f6fb0"/><text x="${155 + w}" y="${y + 15}" font-size="12">${escapeHtml(r.text)}</text>`;
    })
    .join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" width="600" height="${height}" role="img" aria-label="${escapeHtml(title)}"><text x="0" y="14" font-size="14" font-weight="bold">${escapeHtml(title)}</text>${bars}</svg></figure>`;
}

export function renderStatsText(s: Stats): string {
  const lines = [`${s.reports} ended reports${s.since ? ` closed since ${s.since}` : ''}; ${s.breaches} breached`];
  lines.push('severity   reports  MTTA p50/p90        MTTR p50/p90        SLA met   breaches');
  for (const [name, v] of Object.entries(s.bySeverity))
    lines.push(
      `${name.padEnd(10)} ${String(v.reports).padStart(7)}  ${`${human(v.mtta.p50Seconds)} / ${human(v.mtta.p90Seconds)}`.padEnd(19)} ${`${human(v.mttr.p50Seconds)} / ${human(v.mttr.p90Seconds)}`.padEnd(19)} ${(v.sla.percent === null ? '–' : `${v.sla.percent}%`).padStart(7)}   ${v.breaches}`,
    );
  lines.push('', 'SLA compliance by service:');
  for (const [name, c] of Object.entries(s.slaByService))
    lines.push(`  ${name}: ${c.percent === null ? '–' : `${c.percent}%`} (${c.inTime}/${c.cleared})`);
  lines.push(
    '',
    `escalations by level: ${
      Object.entries(s.escalationsByLevel)
        .map(([l, n]) => `L${l} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push('partners:');
  for (const [name, p] of Object.entries(s.partners))
    lines.push(`  ${name}: ${p.requests} requests, ${p.late} late (p50 ${human(p.p50LateSeconds)} late)`);
  lines.push('top services:');
  for (const t of s.topServices) lines.push(`  ${t.serviceId}: ${t.reports}`);
  return lines.join('\n');
}

/** One self-contained page (inline CSS and SVG, no script, no network) a duty manager can mail. */
export function renderStatsHtml(s: Stats, generatedAt: string): string {
  const sev = Object.entries(s.bySeverity);
  const rows = sev
    .map(
      ([name, v]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${v.reports}</td><td>${human(v.mtta.p50Seconds)} / ${human(v.mtta.p90Seconds)}</td><td>${human(v.mttr.p50Seconds)} / ${human(v.mttr.p90Seconds)}</td><td>${v.sla.percent === null ? '–' : `${v.sla.percent}%`}</td><td>${v.breaches}</td></tr>`,
    )
    .join('');
  const charts = [
    barChart(
      'MTTR p90 by severity',
      sev.map(([name, v]) => ({ label: name, value: v.mttr.p90Seconds ?? 0, text: human(v.mttr.p90Seconds) })),
    ),
    barChart(
      'SLA compliance by severity (%)',
      sev.map(([name, v]) => ({ label: name, value: v.sla.percent ?? 0, text: v.sla.percent === null ? '–' : `${v.sla.percent}%` })),
      100,
    ),
    barChart(
      'SLA compliance by service (%)',
      Object.entries(s.slaByService).map(([name, c]) => ({
        label: name,
        value: c.percent ?? 0,
        text: c.percent === null ? '–' : `${c.percent}%`,
      })),
      100,
    ),
    barChart(
      'Escalations by level',
      Object.entries(s.escalationsByLevel).map(([l, n]) => ({ label: `level ${l}`, value: n, text: String(n) })),
    ),
    barChart(
      'Top services by reports',
      s.topServices.map((t) => ({ label: t.serviceId, value: t.reports, text: String(t.reports) })),
    ),
  ].join('\n');
  const partners = Object.entries(s.partners)
    .map(([name, p]) => `<tr><td>${escapeHtml(name)}</td><td>${p.requests}</td><td>${p.late}</td><td>${human(p.p50LateSeconds)}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service quality: ${s.reports} reports</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}figure{margin:1em 0}</style></head>
<body><h1>Service quality</h1>
<p>${s.reports} ended reports${s.since ? ` closed since ${escapeHtml(s.since)}` : ''}${s.filter.service ? `, service ${escapeHtml(s.filter.service)}` : ''}${s.filter.severity ? `, severity ${escapeHtml(s.filter.severity)}` : ''}; ${s.breaches} breached. Generated ${escapeHtml(generatedAt)}.</p>
<table><tr><th>severity</th><th>reports</th><th>MTTA p50 / p90</th><th>MTTR p50 / p90</th><th>SLA met</th><th>breaches</th></tr>${rows}</table>
${charts}
<h2>Partners</h2>${partners ? `<table><tr><th>partner</th><th>requests</th><th>late</th><th>p50 late by</th></tr>${partners}</table>` : '<p>No partner requests.</p>'}
</body></html>
`;
}
