/**
 * The workflow's name, where it listens, how its id is made and when a run hands over to the
 * next: the part of the contract that the worker, the client, the callback listener, the tests
 * and the benchmark must agree on.
 */
export { reportIdOfWorkflowId, reportWorkflowId } from '../domain/ids';

/** The workflow type of a service performance degradation report (operator contract). */
export const WORKFLOW_TYPE = 'degradationReport';

/** Task queue of the worker when nothing else is configured (operator contract; `SPDR_TASK_QUEUE` overrides it). */
export const DEFAULT_TASK_QUEUE = 'service-quality';

/**
 * Continue-as-new once a run's history reaches this many events (or earlier, when Temporal
 * suggests it); `SPDR_CONTINUE_AS_NEW_AFTER_EVENTS` overrides it. Measured: past ~2,000 events a
 * busy report's workflow tasks slow down and start failing.
 */
export const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 1500;

/**
 * Memo field where a report that reached a final status keeps its stats facts
 * (domain/stats-facts.ts), so `starter stats` reads list pages instead of every result.
 */
export const STATS_FACTS_MEMO_KEY = 'spdrStatsFacts';

/** The workflow type of a correlation key's coordinator: it decides which open report leads the key's group. */
export const CORRELATION_WORKFLOW_TYPE = 'correlationGroup';

/** The coordinator's workflow id for a correlation key: one per key, so one decides for all. */
export function correlationWorkflowId(key: string): string {
  return `spdr-correlation-${key}`;
}
