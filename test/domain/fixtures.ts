/** Shared helpers for the domain tests: a start input, a fixed clock, and strict command helpers. */
import { expect } from 'vitest';
import {
  applyCommand,
  openReport,
  parseStartInput,
  tick,
  type Command,
  type Effect,
  type MessageName,
  type MessagePayloadJson,
  type OpenOptions,
  type Report,
  type StartInputJson,
} from '../../src/domain';

export const T0 = Date.parse('2026-11-25T10:00:00.000Z');
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export function startInput(overrides: Partial<StartInputJson> = {}): StartInputJson {
  return {
    reportId: 'R-1001',
    service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
    severity: 'critical',
    description: 'Call setup latency p95 above 3 s',
    detectedAt: '2026-11-25T09:55:00Z',
    degradedKpis: [{ name: 'callSetupLatencyP95', threshold: 3000, observed: 4200, unit: 'ms' }],
    ...overrides,
  };
}

/** Opens a report from a (valid) JSON start input at T0 unless told otherwise. */
export function open(overrides: Partial<StartInputJson> = {}, nowMs = T0, opts?: OpenOptions): Report {
  const parsed = parseStartInput(startInput(overrides));
  if (!parsed.ok) throw new Error(parsed.reason);
  return openReport(parsed.value, nowMs, opts).report;
}

export function msg<N extends MessageName>(name: N, payload: MessagePayloadJson<N>): Command {
  return { name, payload };
}

/** A message with any payload, valid or not. */
export function raw(name: MessageName, payload: unknown): Command {
  return { name, payload };
}

/** Applies a command that must be accepted; returns the new report and its effects. */
export function accept(report: Report, command: Command, nowMs: number): { report: Report; effects: Effect[] } {
  const result = applyCommand(report, command, nowMs);
  if (!result.ok) throw new Error(`expected ${command.name} to be accepted, got: ${result.reason}`);
  return result;
}

/** Applies a command that must be rejected; returns the reason. */
export function refuse(report: Report, command: Command, nowMs: number): string {
  const result = applyCommand(report, command, nowMs);
  expect(result.ok, `expected ${command.name} to be rejected`).toBe(false);
  return result.ok ? '' : result.reason;
}

/** Ticks at each instant in turn, collecting the effects. */
export function tickThrough(report: Report, instants: number[]): { report: Report; effects: Effect[] } {
  const effects: Effect[] = [];
  let current = report;
  for (const instant of instants) {
    const outcome = tick(current, instant);
    current = outcome.report;
    effects.push(...outcome.effects);
  }
  return { report: current, effects };
}

export function ofType<T extends Effect['type']>(effects: Effect[], type: T): Extract<Effect, { type: T }>[] {
  return effects.filter((effect): effect is Extract<Effect, { type: T }> => effect.type === type);
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
