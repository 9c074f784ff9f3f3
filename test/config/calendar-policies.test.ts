/** A configured policy that names a business calendar must name one SPDR_CALENDARS defines: else the worker does not start. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { createActivities } from '../../src/activities';

const valid = {
  SPDR_TROUBLE_URL: 'https://tt.example.net/tmf-api/troubleTicket/v4/',
  SPDR_ESCALATION_URL: 'https://hooks.example.net/escalation',
  SPDR_CLOSE_URL: 'https://close.example.net/spdr',
  SPDR_CALENDARS: JSON.stringify({ office: { timezone: 'Europe/Berlin', week: { mon: ['08:00-18:00'] } } }),
};

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadWorkerSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('configuration was accepted');
}

describe('calendars named by configured policies', () => {
  it('refuses a per-severity default naming an unknown calendar, one line naming the severity and the calendars defined', () => {
    expect(problemsOf({ ...valid, SPDR_JEOPARDY_DEFAULTS: JSON.stringify({ minor: { calendar: 'ofice' } }) })).toEqual([
      'SPDR_JEOPARDY_DEFAULTS.minor.calendar: unknown business calendar "ofice" (SPDR_CALENDARS defines "office")',
    ]);
  });

  it('accepts a default naming a defined calendar, and the settings a report reads carry that calendar with its zone offsets pinned', async () => {
    const settings = loadWorkerSettings({ ...valid, SPDR_JEOPARDY_DEFAULTS: JSON.stringify({ minor: { calendar: 'office' } }) });
    expect(settings.report.policyDefaults.minor?.calendar).toBe('office');
    const activities = createActivities({ integrations: settings.integrations, settings: settings.report });
    const read = await activities.reportSettings();
    const office = read.calendars?.office;
    expect(office?.timezone).toBe('Europe/Berlin');
    expect(office?.week[1]).toEqual([{ start: 480, end: 1080 }]);
    // Berlin changes its offset twice a year: a table of more than four years holds at least eight changes.
    expect(office!.offsets.length).toBeGreaterThanOrEqual(9);
    expect(new Set(office!.offsets.map((c) => c.minutes))).toEqual(new Set([60, 120]));
  });

  it('reads no calendars into the settings when none is configured', async () => {
    const { SPDR_CALENDARS: _none, ...without } = valid;
    const settings = loadWorkerSettings(without);
    const read = await createActivities({ integrations: settings.integrations, settings: settings.report }).reportSettings();
    expect('calendars' in read).toBe(false);
  });
});
