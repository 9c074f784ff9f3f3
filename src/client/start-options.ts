/**
 * What a report carries from its very start, before the workflow has run a single task: the
 * one-line summary and the details Temporal Web shows on the workflow page, and the search
 * attributes that make it findable by the list filters right away. Pure functions of the
 * validated start input.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { markdownCell, oneLine, truncate, type StartInput } from '../domain';
import { SpdrEscalationLevel, SpdrJeopardy, SpdrServiceId, SpdrSeverity, SpdrStatus } from '../search-attributes';

const SUMMARY_DESCRIPTION_MAX = 160;

/** `critical · svc-volte-fra1 (VoLTE core Frankfurt 1) · Call setup latency p95 above 3 s` */
export function staticSummaryOf(input: StartInput): string {
  const service = input.service.name ? `${input.service.id} (${oneLine(input.service.name)})` : input.service.id;
  return `${input.severity} · ${service} · ${truncate(oneLine(input.description), SUMMARY_DESCRIPTION_MAX)}`;
}

const cell = (value: unknown): string => markdownCell(value);

/** `callSetupLatencyP95: observed 4200 ms, threshold 3000 ms` */
export function kpiLine(k: StartInput['degradedKpis'][number]): string {
  const unit = k.unit ? ` ${cell(k.unit)}` : '';
  const values = [
    k.observed !== undefined && `observed ${cell(k.observed)}${unit}`,
    k.threshold !== undefined && `threshold ${cell(k.threshold)}${unit}`,
  ]
    .filter(Boolean)
    .join(', ');
  return values ? `${cell(k.name)}: ${values}` : cell(k.name);
}

/** Markdown for Temporal Web's "details": what was detected, by whom, and what the report's own policy says. */
export function staticDetailsOf(input: StartInput): string {
  const origin = [
    input.openedBy && `opened by ${input.openedBy}`,
    input.originator && `originator ${[input.originator.name, input.originator.system, input.originator.id].filter(Boolean).join(' / ')}`,
  ];
  const lines = [
    `**${input.severity}** service performance degradation on **${cell(input.service.name ?? input.service.id)}** (${input.service.id})`,
    '',
    `${cell(input.description)}`,
    '',
    `Detected ${input.detectedAt ?? 'when opened'}${origin
      .filter(Boolean)
      .map((o) => ` · ${o}`)
      .join('')}`,
  ];
  // A list, not a table: Temporal Web renders markdown tables without cell padding ("thresholdobservedunit").
  if (input.degradedKpis.length > 0) {
    lines.push('', '**Degraded KPIs**');
    for (const k of input.degradedKpis) lines.push(`- ${kpiLine(k)}`);
  }
  if (input.correlationKey !== undefined) lines.push('', `Correlation key: ${cell(input.correlationKey)}`);
  const partnerOwned = Object.entries(input.partnerOwnedResources ?? {});
  if (partnerOwned.length > 0)
    lines.push('', `Partner-owned resources: ${partnerOwned.map(([resource, party]) => `${resource} → ${party}`).join(', ')}`);
  if (input.jeopardyPolicy?.resolutionTarget !== undefined)
    lines.push('', `Own resolution target: ${Math.round(input.jeopardyPolicy.resolutionTarget / 60_000)} min`);
  return lines.join('\n');
}

/**
 * Search attributes as they stand when the report opens; the workflow keeps them current from its
 * first task on (and adds assignee and deadline, which depend on the configured policy).
 */
export function initialSearchAttributesOf(input: StartInput): SearchAttributePair[] {
  return [
    { key: SpdrStatus, value: 'acknowledged' },
    { key: SpdrSeverity, value: input.severity },
    { key: SpdrJeopardy, value: 'onTrack' },
    { key: SpdrServiceId, value: input.service.id },
    { key: SpdrEscalationLevel, value: 0 },
  ];
}
