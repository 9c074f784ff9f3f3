/** Every file under examples/ is a valid start input or message payload: the README walkthrough uses them as they are. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage, parseStartInput, isMessageName } from '../../src/domain';
import { SIMULATED_PARTIES } from '../../src/config/config';

const EXAMPLES = resolve(__dirname, '../../examples');
const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const reports = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
const messages = readdirSync(join(EXAMPLES, 'messages')).filter((f) => f.endsWith('.json'));

describe('examples', () => {
  it('ships the reports and messages of the README walkthrough', () => {
    expect(reports).toEqual(expect.arrayContaining(['critical-latency.json', 'partner-fibre-cut.json', 'false-alarm.json']));
    expect(messages).toEqual(
      expect.arrayContaining(['addAnalysis-resource-cause.json', 'clear.json', 'cancel-false-alarm.json', 'assign.json']),
    );
  });

  it.each(reports)('%s is a valid start input', (file) => {
    const parsed = parseStartInput(json(join(EXAMPLES, file)));
    expect(parsed.ok ? 'valid' : parsed.reason).toBe('valid');
  });

  it.each(messages)('messages/%s is a valid payload of the message its name starts with', (file) => {
    const name = file.split(/[-.]/)[0]!;
    expect(isMessageName(name), `${file} must start with a message name`).toBe(true);
    const parsed = parseMessage(name as never, json(join(EXAMPLES, 'messages', file)));
    expect(parsed.ok ? 'valid' : parsed.reason).toBe('valid');
  });

  it('reports have distinct ids and the promised severities', () => {
    const byFile = Object.fromEntries(reports.map((f) => [f, json(join(EXAMPLES, f)) as { reportId: string; severity: string }]));
    expect(new Set(Object.values(byFile).map((r) => r.reportId)).size).toBe(reports.length);
    expect(byFile['critical-latency.json']).toMatchObject({ reportId: 'R-1001', severity: 'critical' });
    expect(byFile['partner-fibre-cut.json']!.severity).toBe('major');
    expect(byFile['false-alarm.json']!.severity).toBe('minor');
  });

  it('the partner fibre cut maps a resource to a party the simulators host, with its own answer due time', () => {
    const input = parseStartInput(json(join(EXAMPLES, 'partner-fibre-cut.json')));
    if (!input.ok) throw new Error(input.reason);
    const parties = Object.values(input.value.partnerOwnedResources ?? {});
    expect(parties).toContain('acme-transport');
    expect(SIMULATED_PARTIES).toEqual(expect.arrayContaining(parties));
    expect(input.value.jeopardyPolicy?.partnerAnswerDue).toBeGreaterThan(0);
  });
});
