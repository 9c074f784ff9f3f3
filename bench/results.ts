/** The shape of a benchmark run's results, shared by the runner, the Markdown report and the chart. */
import type { ArmingResult } from './sections/arming';
import type { CapacityResult } from './sections/capacity';
import type { ProfileRow } from './sections/domain-profile';
import type { EscalationResult } from './sections/escalation';
import type { LatencyResult } from './sections/latency';
import type { LifecycleResult } from './sections/lifecycle';
import type { MemoryReplayResult } from './sections/memory-replay';
import type { StormResult } from './sections/storm';

export interface SectionEnv {
  wallMs: number;
  /** Cores used on average by processes other than the bench's own (other jobs on the machine). */
  foreignCores: number;
  loadAverage: number;
}

export interface BenchResults {
  meta: {
    mode: 'quick' | 'full';
    startedAt: string;
    wallMs: number;
    node: string;
    cpus: number;
    memoryGiB: number;
    temporalCli: string;
    journalMode: string;
    serverStartedWith: string;
    workerMaxCachedWorkflows: number;
    loadAverageStart: number;
    loadAverageEnd: number;
    errors: string[];
  };
  env: Record<string, SectionEnv>;
  sections: {
    lifecycle?: LifecycleResult;
    latency?: LatencyResult;
    capacity?: CapacityResult;
    arming?: ArmingResult;
    escalation?: EscalationResult;
    memoryReplay?: MemoryReplayResult;
    profile?: ProfileRow[];
    storm?: StormResult;
  };
}
