import { describe, expect, it } from 'vitest';
import { DurationSchema, formatDuration, parseDuration } from '../../src/domain';
import { HOUR, MINUTE, SECOND } from './fixtures';

describe('durations', () => {
  it.each([
    ['90s', 90 * SECOND],
    ['30m', 30 * MINUTE],
    ['4h', 4 * HOUR],
    ['2d', 48 * HOUR],
    ['1h30m', 90 * MINUTE],
    ['1d2h3m4s', 26 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['250ms', 250],
    ['1.5h', 90 * MINUTE],
    [' 4H ', 4 * HOUR],
    ['PT4H', 4 * HOUR],
    ['PT1H30M', 90 * MINUTE],
    ['P2D', 48 * HOUR],
    ['P1DT12H', 36 * HOUR],
    ['P1W', 7 * 24 * HOUR],
    ['pt45s', 45 * SECOND],
  ])('parses "%s" as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '4', 'h', '4x', '30m1h', '1h1h', '-4h', '0h', 'P', 'PT', 'P1M', 'P1Y', 'PT4H30', 'four hours'])('refuses "%s"', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('the schema turns text and positive milliseconds into milliseconds', () => {
    expect(DurationSchema.parse('4h')).toBe(4 * HOUR);
    expect(DurationSchema.parse(1500)).toBe(1500);
  });

  it('the schema explains the accepted formats when it refuses a value', () => {
    const result = DurationSchema.safeParse('4 hours');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/invalid duration "4 hours": use e\.g\. "90s", "30m", "4h"/);
    expect(DurationSchema.safeParse(0).success).toBe(false);
    expect(DurationSchema.safeParse(-5).success).toBe(false);
    expect(DurationSchema.safeParse(Number.NaN).success).toBe(false);
  });

  it('formats milliseconds compactly and round-trips through the parser', () => {
    expect(formatDuration(90 * MINUTE)).toBe('1h30m');
    expect(formatDuration(4 * HOUR)).toBe('4h');
    for (const ms of [1, 999, 61 * SECOND, 26 * HOUR + 5]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
