/**
 * Failure injection for the simulators: latency, 503s, hangs after commit, 422s and a "down"
 * switch, drawn from a seedable random sequence so a test run is reproducible.
 */
import { z } from 'zod';

const rate = z.number().min(0).max(1);
const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;

export const faultSettingsSchema = z
  .object({
    /** Added to every faulted request before it is handled. */
    latencyMs: z.number().int().min(0).max(600_000),
    /** Share of requests answered 503 with `Retry-After: 1`, before any change is made. */
    errorRate: rate,
    /** Share of requests that are processed (the change is committed) but never answered. */
    timeoutRate: rate,
    /** Share of requests refused with 422 before any change is made. */
    status422Rate: rate,
    /** Every request's connection is destroyed without an answer. */
    down: z.boolean(),
    /** How long a "timeout" request hangs before its connection is destroyed. */
    hangMs: z.number().int().min(0).max(600_000),
    /** Only requests with these methods are faulted (all when absent). */
    methods: z.array(z.enum(METHODS)).optional(),
  })
  .refine((s) => s.errorRate + s.timeoutRate + s.status422Rate <= 1, {
    message: 'errorRate + timeoutRate + status422Rate must not exceed 1',
  });
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

/** Body of `POST /admin/faults`: any subset of the settings, plus `seed` to restart the random sequence. */
export const faultUpdateSchema = z
  .object({
    latencyMs: z.number(),
    errorRate: z.number(),
    timeoutRate: z.number(),
    status422Rate: z.number(),
    down: z.boolean(),
    hangMs: z.number(),
    methods: z.array(z.string()).nullable(),
    seed: z.number().int(),
  })
  .partial()
  .strict();
export type FaultUpdate = z.infer<typeof faultUpdateSchema>;

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  status422Rate: 0,
  down: false,
  hangMs: 60_000,
};

export type FaultDecision = 'none' | 'down' | 'error' | 'timeout' | 'status422';

export interface FaultStats {
  error: number;
  timeout: number;
  status422: number;
  down: number;
}

/**
 * mulberry32: tiny, fast and good enough to spread faults evenly and reproducibly. Also the
 * benchmark's and the reliability tests' source of repeatable "random" choices.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultInjector {
  private settings: FaultSettings;
  private random: () => number;
  readonly injected: FaultStats = { error: 0, timeout: 0, status422: 0, down: 0 };

  constructor(initial: Partial<FaultSettings> = {}, seed = 1) {
    this.settings = faultSettingsSchema.parse({ ...NO_FAULTS, ...initial });
    this.random = seededRandom(seed);
  }

  current(): FaultSettings {
    return { ...this.settings };
  }

  /** Merges an update; throws a zod error (answered 400 by the server) when it is invalid. */
  update(update: unknown): FaultSettings {
    const { seed, methods, ...rest } = faultUpdateSchema.parse(update);
    const merged: Record<string, unknown> = { ...this.settings, ...rest };
    if (methods === null) delete merged.methods;
    else if (methods !== undefined) merged.methods = methods;
    this.settings = faultSettingsSchema.parse(merged);
    if (seed !== undefined) this.random = seededRandom(seed);
    return this.current();
  }

  reset(): FaultSettings {
    this.settings = { ...NO_FAULTS };
    return this.current();
  }

  /** Decides the fate of one request and counts injected failures. */
  decide(method: string): { decision: FaultDecision; latencyMs: number } {
    const s = this.settings;
    if (s.methods && !s.methods.includes(method as (typeof METHODS)[number])) return { decision: 'none', latencyMs: 0 };
    if (s.down) {
      this.injected.down += 1;
      return { decision: 'down', latencyMs: 0 };
    }
    const roll = this.random();
    let decision: FaultDecision = 'none';
    if (roll < s.errorRate) decision = 'error';
    else if (roll < s.errorRate + s.timeoutRate) decision = 'timeout';
    else if (roll < s.errorRate + s.timeoutRate + s.status422Rate) decision = 'status422';
    if (decision !== 'none') this.injected[decision] += 1;
    return { decision, latencyMs: s.latencyMs };
  }
}
