/**
 * Hands the report's metric facts to the worker's `spdrMetrics` sink. Sinks are no commands (old
 * histories replay unchanged) and the SDK does not call them while replaying, so every fact is
 * counted once, by the worker that first executed it.
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { Report } from '../../domain';
import { factsOf, type MetricFact } from '../../metrics/facts';

export interface SpdrMetricsSinks extends Sinks {
  spdrMetrics: { record(facts: MetricFact[]): void };
}

const sinks = proxySinks<SpdrMetricsSinks>();

export function countFacts(before: Report | undefined, after: Report): void {
  const facts = factsOf(before, after);
  if (facts.length > 0) sinks.spdrMetrics.record(facts);
}
