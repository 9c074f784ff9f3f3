/**
 * Where the escalation lateness of section 4 goes, read out of the reports' histories (split out
 * of bench/sections/escalation.ts, which runs it).
 */
import type { Client } from '@temporalio/client';
import { pool, summarize, type Summary } from '../stats';
import { eventTimeMs, workflowIdOf } from './common';

/**
 * Lateness split along the path, from the report's history and the sink:
 * due → TimerFired (the server's timer queue), TimerFired → ActivityTaskScheduled (the worker's
 * workflow task), scheduled → ActivityTaskStarted (activity dispatch to a poller), started →
 * webhook received (the activity's HTTP call).
 */
export interface LatenessBreakdown {
  sampled: number;
  /** Due time to the timer's own fire time (TimerStarted + its duration): how the timer was armed. */
  armedMs: Summary;
  /** The timer's own fire time to TimerFired: the server's timer queue. */
  serverTimerMs: Summary;
  timerMs: Summary;
  workflowTaskMs: Summary;
  dispatchMs: Summary;
  httpMs: Summary;
}

const EVENT_ACTIVITY_TASK_SCHEDULED = 10;
const EVENT_ACTIVITY_TASK_STARTED = 11;
const EVENT_TIMER_FIRED = 18;

/** Reads the escalation path of a sample of reports out of their histories. */
export async function breakdownOf(
  client: Client,
  sample: Array<{ reportId: string; due: number; receivedAt: number }>,
): Promise<LatenessBreakdown> {
  const timer: number[] = [];
  const armed: number[] = [];
  const serverTimer: number[] = [];
  const task: number[] = [];
  const dispatch: number[] = [];
  const http: number[] = [];
  await pool(sample, 8, async ({ reportId, due, receivedAt }) => {
    const history = await client.workflow.getHandle(workflowIdOf(reportId)).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.find(
      (e) =>
        Number(e.eventType) === EVENT_ACTIVITY_TASK_SCHEDULED &&
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyEscalation',
    );
    if (!scheduled) return;
    const scheduledId = Number(scheduled.eventId);
    // The timer that woke the report for this escalation: the last one fired before it was scheduled.
    const fired = events.filter((e) => Number(e.eventType) === EVENT_TIMER_FIRED && Number(e.eventId) < scheduledId).pop();
    const started = events.find(
      (e) =>
        Number(e.eventType) === EVENT_ACTIVITY_TASK_STARTED &&
        Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId,
    );
    if (!fired || !started) return;
    const timerStarted = events.find((e) => Number(e.eventId) === Number(fired.timerFiredEventAttributes?.startedEventId));
    const duration = timerStarted?.timerStartedEventAttributes?.startToFireTimeout;
    if (timerStarted && duration) {
      const fireAt = eventTimeMs(timerStarted) + Number(duration.seconds ?? 0) * 1000 + Math.floor((duration.nanos ?? 0) / 1e6);
      armed.push(fireAt - due);
      serverTimer.push(eventTimeMs(fired) - fireAt);
    }
    timer.push(eventTimeMs(fired) - due);
    task.push(eventTimeMs(scheduled) - eventTimeMs(fired));
    dispatch.push(eventTimeMs(started) - eventTimeMs(scheduled));
    http.push(receivedAt - eventTimeMs(started));
  });
  return {
    sampled: timer.length,
    armedMs: summarize(armed),
    serverTimerMs: summarize(serverTimer),
    timerMs: summarize(timer),
    workflowTaskMs: summarize(task),
    dispatchMs: summarize(dispatch),
    httpMs: summarize(http),
  };
}
