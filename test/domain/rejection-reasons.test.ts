/** Rejection reasons are bounded and name the field: what an operator reads in rejectedInputs. Public API only. */
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/domain';

const reason = (name: Parameters<typeof parseMessage>[0], payload: unknown): string => {
  const parsed = parseMessage(name, payload);
  if (parsed.ok) throw new Error(`${name} accepted ${JSON.stringify(payload)}`);
  return parsed.reason;
};

describe('rejection reasons', () => {
  it('name the message and the field', () => {
    expect(reason('addAnalysis', { author: 'noc.anna' })).toMatch(/^addAnalysis\.summary: /);
    expect(reason('assign', { by: 'a', taskId: 't', kind: 'dance', assignee: 'b' })).toMatch(/^assign\.kind: /);
  });

  it('list one unknown key, or up to five and how many more', () => {
    expect(reason('addAnalysis', { author: 'a', summary: 's', owner: 1 })).toBe('addAnalysis: Unrecognized key: "owner"');
    expect(reason('addAnalysis', { author: 'a', summary: 's', k1: 1, k2: 2 })).toBe('addAnalysis: Unrecognized keys: "k1", "k2"');
    const seven = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, i]));
    expect(reason('addAnalysis', { author: 'a', summary: 's', ...seven })).toBe(
      'addAnalysis: Unrecognized keys: "k0", "k1", "k2", "k3", "k4" and 2 more',
    );
    const five = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, i]));
    expect(reason('addAnalysis', { author: 'a', summary: 's', ...five })).toBe(
      'addAnalysis: Unrecognized keys: "k0", "k1", "k2", "k3", "k4"',
    );
  });

  it('cut a long field name to 60 characters', () => {
    const long = 'x'.repeat(100);
    expect(reason('addAnalysis', { author: 'a', summary: 's', [long]: 1 })).toBe(`addAnalysis: Unrecognized key: "${'x'.repeat(59)}…"`);
  });

  it('say how many problems were left out after ten', () => {
    const many = Array.from({ length: 12 }, () => 'bad id with spaces');
    const text = reason('assign', { by: 'a', taskId: 't', kind: 'repair', assignee: 'b', dependsOn: many });
    expect(text.split('; ')).toHaveLength(11);
    expect(text).toMatch(/; and 2 more problems$/);
    const ten = reason('assign', { by: 'a', taskId: 't', kind: 'repair', assignee: 'b', dependsOn: many.slice(0, 10) });
    expect(ten.split('; ')).toHaveLength(10);
    expect(ten).not.toMatch(/more problems/);
  });

  it('refuse a payload above the size limit before validating it', () => {
    expect(reason('addAnalysis', { author: 'a', summary: 'z'.repeat(70_000) })).toMatch(
      /^addAnalysis: payload too large \(\d+ characters as JSON, limit \d+\)$/,
    );
  });
});
