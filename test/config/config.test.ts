import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultSimulatorConfig, escalationUrlForLevel, loadIntegrationConfig, redactedConfig } from '../../src/config/config';

const valid = {
  SPDR_TROUBLE_URL: 'https://tt.example.net/tmf-api/troubleTicket/v4/',
  SPDR_ESCALATION_URL: 'https://hooks.example.net/escalation',
  SPDR_CLOSE_URL: 'https://close.example.net/spdr',
};

function problemsOf(env: NodeJS.ProcessEnv): { problems: readonly string[]; message: string } {
  try {
    loadIntegrationConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return { problems: (error as ConfigError).problems, message: (error as ConfigError).message };
  }
  throw new Error('configuration was accepted');
}

describe('integration configuration', () => {
  it('refuses invalid configuration with one line per bad field and no secret leaked', () => {
    const { problems, message } = problemsOf({
      SPDR_TROUBLE_URL: 'ftp://x',
      SPDR_TROUBLE_TOKEN: 'tok3n with space',
      SPDR_PARTNERS: JSON.stringify([{ partyId: 'acme', baseUrl: 'not a url', answerDue: '4 hours', authHeader: 'Bearer inl1ne-s3cret' }]),
      SPDR_ESCALATION_URL_LEVEL_two: 'https://x.example',
      SPDR_HTTP_TIMEOUT_MS: 'ten',
      SPDR_CALLBACK_PORT: '70000',
    });
    expect(problems).toEqual([
      'SPDR_TROUBLE_URL: must be an http(s) URL (got "ftp://x")',
      'SPDR_TROUBLE_TOKEN: must be a single token of printable characters without spaces',
      'SPDR_PARTNERS[0].baseUrl: must be an http(s) URL (got "not a url")',
      'SPDR_PARTNERS[0].answerDue: must be a duration such as "4h", "30m" or "1h30m" (got "4 hours")',
      'SPDR_PARTNERS[0]: unknown field "authHeader" (secrets go in an environment variable named by authHeaderEnv)',
      'SPDR_ESCALATION_URL: is required (the http(s) URL of the escalation webhook)',
      'SPDR_ESCALATION_URL_LEVEL_two: the level must be a whole number, as in SPDR_ESCALATION_URL_LEVEL_2',
      'SPDR_CLOSE_URL: is required (the http(s) URL of the Close SPDR process webhook)',
      'SPDR_HTTP_TIMEOUT_MS: must be a whole number (got "ten")',
      'SPDR_CALLBACK_PORT: must be between 0 and 65535 (got "70000")',
    ]);
    expect(message).not.toContain('tok3n');
    expect(message).not.toContain('inl1ne-s3cret');
  });

  it('refuses a partner whose auth header variable is not set, naming the variable', () => {
    const { problems } = problemsOf({
      ...valid,
      SPDR_PARTNERS: JSON.stringify([
        { partyId: 'acme', baseUrl: 'https://acme.example/pm', answerDue: '4h', authHeaderEnv: 'ACME_AUTH' },
        { partyId: 'acme', baseUrl: 'https://acme2.example/pm', answerDue: '2h' },
      ]),
    });
    expect(problems).toEqual([
      'SPDR_PARTNERS[0].authHeaderEnv: names environment variable ACME_AUTH, which is not set (got "ACME_AUTH")',
      'SPDR_PARTNERS[1].partyId: is listed twice (got "acme")',
    ]);
  });

  it('reads a partner answer due time with the one duration grammar of the domain (ISO-8601, any case), refusing unordered units', () => {
    const partners = (...answerDue: string[]) =>
      JSON.stringify(answerDue.map((due, i) => ({ partyId: `p${i}`, baseUrl: 'https://p.example/pm', answerDue: due })));
    const config = loadIntegrationConfig({ ...valid, SPDR_PARTNERS: partners('PT4H', '2H', '1h30m', '90s') });
    expect(config.partners.map((p) => p.answerDueMs)).toEqual([14_400_000, 7_200_000, 5_400_000, 90_000]);
    expect(problemsOf({ ...valid, SPDR_PARTNERS: partners('30m1h') }).problems).toEqual([
      'SPDR_PARTNERS[0].answerDue: must be a duration such as "4h", "30m" or "1h30m" (got "30m1h")',
    ]);
  });

  it('refuses partner settings that are not JSON', () => {
    expect(problemsOf({ ...valid, SPDR_PARTNERS: '{acme' }).problems).toEqual([
      'SPDR_PARTNERS: must be a JSON array of partner entries (not valid JSON) (got "{acme")',
    ]);
  });

  it('reads a valid configuration with defaults, secrets from env, and per-level escalation targets', () => {
    const config = loadIntegrationConfig({
      ...valid,
      SPDR_TROUBLE_TOKEN: 'tt-s3cret',
      SPDR_PARTNERS: JSON.stringify([
        { partyId: 'acme', baseUrl: 'https://acme.example/pm/', answerDue: '1h30m', authHeaderEnv: 'ACME_AUTH' },
      ]),
      ACME_AUTH: 'Basic YWNtZTpzM2NyZXQ=',
      SPDR_ESCALATION_URL_LEVEL_2: 'https://duty-manager.example/hook?token=abc',
      SPDR_NAMESPACE: '',
    });
    expect(config.troubleTicket.baseUrl).toBe('https://tt.example.net/tmf-api/troubleTicket/v4');
    expect(config.troubleTicket.token?.reveal()).toBe('tt-s3cret');
    expect(config.partners[0]).toMatchObject({ partyId: 'acme', baseUrl: 'https://acme.example/pm', answerDueMs: 5_400_000 });
    expect(config.partners[0].authHeader?.reveal()).toBe('Basic YWNtZTpzM2NyZXQ=');
    expect(config.temporalWeb).toEqual({ url: 'http://localhost:8233', namespace: 'default' });
    expect(config.http.timeoutMs).toBe(10_000);
    expect(config.callbacks).toMatchObject({ port: 8090, host: '127.0.0.1' });
    expect(escalationUrlForLevel(config, 1)).toBe('https://hooks.example.net/escalation');
    expect(escalationUrlForLevel(config, 2)).toBe('https://duty-manager.example/hook?token=abc');

    const summary = JSON.stringify(redactedConfig(config));
    for (const printed of [summary, JSON.stringify(config), inspect(config, { depth: 10 }), String(config.troubleTicket.token)]) {
      expect(printed).not.toContain('tt-s3cret');
      expect(printed).not.toContain('YWNtZTpzM2NyZXQ=');
    }
    // URLs are needed in full to call out, but the log summary masks their query values.
    expect(summary).not.toContain('token=abc');
    expect(redactedConfig(config)).toMatchObject({
      troubleTicket: { token: 'set' },
      partners: [{ auth: 'Authorization from $ACME_AUTH' }],
      escalation: { urlByLevel: { 2: 'https://duty-manager.example/hook?***' } },
    });
  });

  it('points every outside system at the local simulators', () => {
    const config = defaultSimulatorConfig({ trouble: 9001, partner: 9002, webhook: 9003, callback: 9004 });
    expect(config.troubleTicket.baseUrl).toBe('http://127.0.0.1:9001');
    expect(config.partners.map((p) => p.baseUrl)).toEqual(['http://127.0.0.1:9002/acme-transport', 'http://127.0.0.1:9002/globex-fiber']);
    expect(config.escalation.url).toBe('http://127.0.0.1:9003/escalation');
    expect(config.close.url).toBe('http://127.0.0.1:9003/close');
    expect(config.callbacks.port).toBe(9004);
  });
  it('refuses business calendars with one clear line each: overlapping hours, an unknown time zone, a holiday that is not a date', () => {
    const { problems } = problemsOf({
      ...valid,
      SPDR_CALENDARS: JSON.stringify({
        office: { timezone: 'Europe/Berlin', week: { mon: ['08:00-12:00', '11:30-18:00'] } },
        night: { timezone: 'Mars/Olympus', week: { sat: ['00:00-24:00'] } },
        xmas: { timezone: 'UTC', week: { fri: ['09:00-17:00'] }, holidays: ['2026-12-32'] },
      }),
    });
    expect(problems).toEqual([
      'SPDR_CALENDARS.office.week.mon: hours 08:00-12:00 and 11:30-18:00 overlap (got "[\\"08:00-12:00\\",\\"11:30-18:00\\"]")',
      'SPDR_CALENDARS.night.timezone: is not a known IANA time zone (such as "Europe/Berlin") (got "Mars/Olympus")',
      'SPDR_CALENDARS.xmas.holidays[0]: must be a date such as "2026-12-25" (got "2026-12-32")',
    ]);
    expect(problemsOf({ ...valid, SPDR_CALENDARS: '{office' }).problems).toEqual([
      'SPDR_CALENDARS: must be a JSON object of calendar name -> calendar (not valid JSON) (got "{office")',
    ]);
  });

  it('reads business calendars ready for the open-time maths, none by default', () => {
    expect(loadIntegrationConfig(valid).calendars).toEqual({});
    const config = loadIntegrationConfig({
      ...valid,
      SPDR_CALENDARS: JSON.stringify({ office: { timezone: 'Europe/Berlin', week: { mon: ['08:00-18:00'] }, holidays: ['2026-12-25'] } }),
    });
    expect(config.calendars.office.timezone).toBe('Europe/Berlin');
    expect(config.calendars.office.week[1]).toEqual([{ start: 480, end: 1080 }]);
    expect(config.calendars.office.holidays.has('2026-12-25')).toBe(true);
    expect(redactedConfig(config).calendars).toEqual({ office: 'Europe/Berlin' });
  });
});
