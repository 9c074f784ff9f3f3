/** The smallest start input an integration or Temporal Web's "Start Workflow" dialog sends opens a report. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openReport, parseStartInput } from '../../src/domain';
import { HOUR, T0, iso } from './fixtures';

const minimal = { reportId: 'R-0001', service: { id: 'svc-iptv-ber2' }, severity: 'major', description: 'Channel zapping time above 2 s' };

describe('minimal start input', () => {
  it('opens a report without detectedAt: the detection time is the opening time', () => {
    const parsed = parseStartInput(minimal);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { report } = openReport(parsed.value, T0);
    expect(report).toMatchObject({ status: 'acknowledged', detectedAt: iso(T0), openedAt: iso(T0), degradedKpis: [] });
    expect(report.jeopardy.deadline).toBe(iso(T0 + 8 * HOUR));
  });

  it('keeps a detectedAt that the caller knows', () => {
    const parsed = parseStartInput({ ...minimal, detectedAt: '2026-11-25T09:55:00Z' });
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(openReport(parsed.value, T0).report.detectedAt).toBe('2026-11-25T09:55:00Z');
  });

  it('still refuses a detectedAt that is not a time', () => {
    const parsed = parseStartInput({ ...minimal, detectedAt: 'yesterday' });
    expect(parsed.ok ? 'accepted' : parsed.reason).toMatch(/detectedAt/);
  });

  it('is what examples/minimal.json holds', () => {
    const file = JSON.parse(readFileSync(resolve(__dirname, '../../examples/minimal.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual(['description', 'reportId', 'service', 'severity']);
    expect(parseStartInput(file).ok).toBe(true);
  });
});
