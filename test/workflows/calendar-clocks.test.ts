/**
 * Business calendars through the real workflow on Temporal's time-skipping test server: a report
 * whose policy names a calendar is notified and escalated in open hours only, over a weekend, over
 * a holiday and across a DST change (Europe/Berlin), and a calendar name the configuration does
 * not define refuses the start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Report } from '../../src/domain';
import { pinCalendar, type PinnedCalendar } from '../../src/domain/business-time';
import { compileCalendar, intlZoneOffsets, type BusinessCalendarSpec } from '../../src/domain/calendar';
import type { degradationReport } from '../../src/workflows';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems, type FakeSystems } from '../support/fake-activities';
import { captureHistories } from '../support/scenarios';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const berlinOffsets = intlZoneOffsets('Europe/Berlin');

/** The UTC instant of a Berlin wall time on a UTC calendar day (`dayMs` = that day's 00:00Z). */
function berlin(dayMs: number, hh: number, mm = 0): number {
  const local = dayMs + hh * HOUR + mm * MIN;
  return local - berlinOffsets(local - berlinOffsets(local) * MIN) * MIN;
}
/** 00:00Z of the first day after `fromMs` for which `pick` holds. */
function nextDay(fromMs: number, pick: (day: Date) => boolean): number {
  let day = Math.floor(fromMs / DAY) * DAY + DAY;
  while (!pick(new Date(day))) day += DAY;
  return day;
}
const dateOf = (dayMs: number) => new Date(dayMs).toISOString().slice(0, 10);
/** The last Sunday of March or October: Berlin changes its offset early that morning. */
const isDstSunday = (d: Date) => d.getUTCDay() === 0 && (d.getUTCMonth() === 2 || d.getUTCMonth() === 9) && d.getUTCDate() > 24;

const weekdays = ['08:00-18:00'];
const office: BusinessCalendarSpec = {
  timezone: 'Europe/Berlin',
  week: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
};
const everyDay = (holidays: string[] = []): BusinessCalendarSpec => ({
  timezone: 'Europe/Berlin',
  week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, weekdays])),
  holidays,
});

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

type Handle = WorkflowHandle<typeof degradationReport>;
let n = 0;
const query = (h: Handle): Promise<Report> => h.query(reportQuery);
async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}
/**
 * Reports open this long before the full hour: a threshold that falls exactly on a closing time
 * would, opened a few ms late, fall that many ms into the next opening.
 */
const LEAD = 30_000;
/** A deadline as expected: the report opens a few ms after the instant the test slept to, so its deadlines do too. */
function expectDeadline(deadline: string, expectedMs: number): void {
  expect(Date.parse(deadline) - expectedMs).toBeGreaterThanOrEqual(0);
  expect(Date.parse(deadline) - expectedMs).toBeLessThan(1_000);
}
/** Lets virtual time run up to an instant. */
async function sleepUntil(ms: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (ms > now) await env.sleep(ms - now);
}

async function scenario(
  name: string,
  specs: Record<string, BusinessCalendarSpec>,
  body: (ctx: { start(policy: Record<string, unknown>): Promise<Handle>; systems: FakeSystems }) => Promise<void>,
): Promise<void> {
  const now = await env.currentTimeMs();
  // What the worker's reportSettings activity hands a report: each calendar with its zone offsets pinned.
  const calendars: Record<string, PinnedCalendar> = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, pinCalendar(compileCalendar(spec), berlinOffsets, now)]),
  );
  const systems = fakeSystems({ calendars });
  const taskQueue = uniqueTaskQueue('calendar');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: systems.activities,
  });
  const started: Handle[] = [];
  try {
    await worker.runUntil(() =>
      body({
        systems,
        start: async (policy) => {
          n += 1;
          const reportId = `RCAL-${process.pid}-${n}`;
          const handle = await env.client.workflow.start<typeof degradationReport>(WORKFLOW_TYPE, {
            taskQueue,
            workflowId: reportWorkflowId(reportId),
            args: [{ reportId, service: { id: 'svc-volte-fra1' }, severity: 'critical', description: 'latency', jeopardyPolicy: policy }],
          });
          started.push(handle);
          return handle;
        },
      }),
    );
    if (process.env.SPDR_CAPTURE_HISTORIES) await captureHistories(name, started);
  } finally {
    for (const h of started) await h.terminate('scenario over').catch(() => undefined);
  }
}

describe('business calendars on the clocks (time-skipping)', () => {
  it('over a weekend: opened Friday 16:00 Berlin with 4h, notified Friday 18:00, nothing all weekend, escalated Monday 09:00, breached Monday 10:00', async () => {
    await scenario('calendar over a weekend', { office }, async ({ start, systems }) => {
      const friday = nextDay(await env.currentTimeMs(), (d) => d.getUTCDay() === 5);
      const monday = friday + 3 * DAY;
      await sleepUntil(berlin(friday, 16) - LEAD);
      const h = await start({ resolutionTarget: '4h', calendar: 'office' });
      const opened = await query(h);
      expectDeadline(opened.jeopardy.deadline, berlin(monday, 10) - LEAD);
      expect(opened.jeopardy.calendar?.name).toBe('office');
      await sleepUntil(berlin(friday, 18) + 1_000);
      await until(() => systems.assigneeNotices.length >= 1);
      expect(systems.assigneeNotices).toHaveLength(1);
      await sleepUntil(berlin(monday, 8, 58));
      expect(systems.escalations).toEqual([]);
      await sleepUntil(berlin(monday, 9) + 1_000);
      await until(() => systems.escalations.length >= 1);
      expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([[1, 'jeopardy']]);
      await sleepUntil(berlin(monday, 10) + 1_000);
      await until(() => systems.escalations.length >= 2);
      expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
        [1, 'jeopardy'],
        [2, 'breach'],
      ]);
      expect((await query(h)).jeopardy.state).toBe('breached');
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });

  it('over a holiday: opened 17:00 the day before with 2h, the holiday counts nothing, breached 09:00 the day after', async () => {
    const now = await env.currentTimeMs();
    const eve = nextDay(now, () => true);
    const holiday = eve + DAY;
    await scenario('calendar over a holiday', { withHoliday: everyDay([dateOf(holiday)]) }, async ({ start, systems }) => {
      await sleepUntil(berlin(eve, 17) - LEAD);
      const h = await start({ resolutionTarget: '2h', calendar: 'withHoliday' });
      expectDeadline((await query(h)).jeopardy.deadline, berlin(holiday + DAY, 9) - LEAD);
      await sleepUntil(berlin(eve, 18) + 1_000);
      await until(() => systems.assigneeNotices.length >= 1);
      expect(systems.assigneeNotices).toHaveLength(1);
      await sleepUntil(berlin(holiday, 20));
      expect(systems.escalations).toEqual([]);
      await sleepUntil(berlin(holiday + DAY, 9) + 1_000);
      await until(() => systems.escalations.length >= 2);
      expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
        [1, 'jeopardy'],
        [2, 'breach'],
      ]);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });

  it('across a DST change in Berlin: opened Saturday 17:00 local with 2h, breached Sunday 09:00 local at the new offset', async () => {
    const sunday = nextDay(await env.currentTimeMs(), isDstSunday);
    const saturday = sunday - DAY;
    await scenario('calendar across a dst change', { everyDay: everyDay() }, async ({ start, systems }) => {
      await sleepUntil(berlin(saturday, 17) - LEAD);
      const h = await start({ resolutionTarget: '2h', calendar: 'everyDay' });
      const deadline = berlin(sunday, 9);
      // The offsets differ on the two days: the wall distance is 16h minus or plus the hour the clocks moved.
      expect(berlinOffsets(deadline)).not.toBe(berlinOffsets(berlin(saturday, 17)));
      expectDeadline((await query(h)).jeopardy.deadline, deadline - LEAD);
      await sleepUntil(deadline - MIN);
      await until(() => systems.escalations.length >= 1);
      expect(systems.escalations.map((e) => e.level)).toEqual([1]);
      await sleepUntil(deadline + 1_000);
      await until(() => systems.escalations.length >= 2);
      expect(systems.escalations.map((e) => [e.level, e.reason])).toEqual([
        [1, 'jeopardy'],
        [2, 'breach'],
      ]);
      await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
      await h.result();
    });
  });

  it('a policy naming a calendar the configuration does not define is refused at start with one clear reason', async () => {
    await scenario('calendar unknown name refused', { office }, async ({ start }) => {
      const h = await start({ calendar: 'ofice' });
      const failure = await h.result().catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(String((failure as WorkflowFailedError).cause?.message)).toBe(
        'invalid start input: jeopardyPolicy.calendar: unknown business calendar "ofice" (SPDR_CALENDARS defines "office")',
      );
    });
  });
});
