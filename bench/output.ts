/** The results: their shape, the Markdown report, and the files under bench/results/. */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart';
import type { BenchResults } from './results';
import type { Summary } from './stats';
import type { LatenessGroup } from './sections/escalation';

export type { BenchResults, SectionEnv } from './results';

const MB = 1024 * 1024;
const ms = (v: number): string =>
  !Number.isFinite(v) ? 'n/a' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
const num = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const mb = (v: number): string => (Number.isFinite(v) ? `${(v / MB).toFixed(0)} MB` : 'n/a');
const kb = (v: number): string => (Number.isFinite(v) ? `${(v / 1024).toFixed(1)} KB` : 'n/a');
const p = (s: Summary): string => `${ms(s.p50)} / ${ms(s.p99)}`;
const verdict = (ok: boolean | undefined): string => (ok === undefined ? '—' : ok ? 'met' : '**not met**');

/** Whether each target is met; undefined when not measured (or not applicable in quick mode). */
export function targets(r: BenchResults): Record<string, boolean | undefined> {
  const s = r.sections;
  const lastStep = s.capacity?.steps[s.capacity.steps.length - 1];
  const replay4k = s.memoryReplay?.replay.find((x) => x.events >= 3000 && x.events <= 6000 && x.workflow !== 'baseline');
  // The no-logic baseline's replay closest in length to the report's ~4k-event one.
  const replayBase = replay4k
    ? s.memoryReplay?.replay
        .filter((x) => x.workflow === 'baseline')
        .sort((a, b) => Math.abs(a.events - replay4k.events) - Math.abs(b.events - replay4k.events))[0]
    : undefined;
  const arming = s.arming?.runs.find((x) => x.kind === 'report');
  const armingBase = s.arming?.runs.find((x) => x.kind === 'baseline');
  return {
    // >= 100 armed/s or >= 0.8 of the baseline's rate, whichever is lower; start → armed p99 < 5 s.
    armingRate: arming && armingBase ? arming.armedPerSecond >= Math.min(100, 0.8 * armingBase.armedPerSecond) : undefined,
    armingP99: arming && r.meta.mode === 'full' ? arming.startToArmedMs.p99 < 5000 && arming.armed === arming.opened : undefined,
    lifecycleRatio: s.lifecycle ? s.lifecycle.ratio >= 0.9 : undefined,
    // Held = opened without failure and every sampled report's jeopardy timer armed within the settle time.
    capacity:
      lastStep && r.meta.mode === 'full'
        ? lastStep.openReports >= 10_000 && lastStep.failed === 0 && Number.isFinite(lastStep.allArmedMs)
        : undefined,
    signalP99: s.latency ? s.latency.signal.p99 <= 100 : undefined,
    updateP99: s.latency ? s.latency.update.p99 <= 100 : undefined,
    escalationSpreadP99: s.escalation ? s.escalation.spread.latenessMs.p99 <= 1000 && s.escalation.spread.missing === 0 : undefined,
    // p99 <= 5 s and within the arming ratio of the baseline (report p99 / baseline p99 <= 1 / 0.8).
    escalationBurstP99:
      s.escalation && r.meta.mode === 'full'
        ? s.escalation.burst.latenessMs.p99 <= 5000 && s.escalation.burst.missing === 0 && (s.escalation.burstP99Ratio ?? Infinity) <= 1.25
        : undefined,
    memoryPerCachedReport: s.memoryReplay ? s.memoryReplay.rssBytesPerCachedReport <= 0.75 * MB : undefined,
    replay4k: replay4k && replayBase ? replay4k.msPerEvent <= 1.1 * replayBase.msPerEvent : undefined,
  };
}

export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  out.push(`## Benchmark results (${r.meta.mode} mode, ${r.meta.startedAt})`);
  out.push('');
  out.push(
    `Node ${r.meta.node}, ${r.meta.cpus} cores, ${r.meta.memoryGiB} GiB; ${r.meta.temporalCli}; SQLite journal: **${r.meta.journalMode}** (${r.meta.serverStartedWith}); worker maxCachedWorkflows ${r.meta.workerMaxCachedWorkflows} (SDK default) except in 5; load average ${num(r.meta.loadAverageStart, 1)} at start, ${num(r.meta.loadAverageEnd, 1)} at end; total ${(r.meta.wallMs / 1000).toFixed(0)} s.`,
  );
  out.push('');
  summaryTable(out, r);
  const s = r.sections;
  if (s.lifecycle) lifecycleSection(out, s.lifecycle);
  if (s.arming) armingSection(out, s.arming);
  if (s.capacity) capacitySection(out, s.capacity);
  if (s.latency) latencySection(out, s.latency);
  if (s.escalation) escalationSection(out, s.escalation);
  if (s.memoryReplay) memoryReplaySection(out, s.memoryReplay);
  if (s.profile) profileSection(out, s.profile);
  if (s.storm) stormSection(out, s.storm);
  machineShare(out, r);
  out.push('');
  return out.join('\n');
}

/** The targets table: one row per figure, with the verdict. */
function summaryTable(out: string[], r: BenchResults): void {
  const s = r.sections;
  const t = targets(r);
  out.push('| # | figure | measured | target | verdict |');
  out.push('| --- | --- | --- | --- | --- |');
  if (s.lifecycle) {
    const l = s.lifecycle;
    out.push(
      `| 1 | lifecycle throughput, report / baseline (median of ${l.batches.length / 2} interleaved batches each) | **${num(l.ratio)}** (${num(l.report.medianPerSecond)} vs ${num(l.baseline.medianPerSecond)} lifecycles/s) | ≥ 0.9 | ${verdict(t.lifecycleRatio)} |`,
    );
    out.push(
      `| 1 | history events per lifecycle, report / baseline | ${l.report.historyEvents} / ${l.baseline.historyEvents} (${num(l.report.lifecyclesPerHistoryEvent, 4)} / ${num(l.baseline.lifecyclesPerHistoryEvent, 4)} lifecycles per event); events/s ratio ${num(l.eventRatio)} | — | — |`,
    );
  }
  if (s.arming) {
    const a = s.arming;
    const [rep, base] = [a.runs.find((x) => x.kind === 'report')!, a.runs.find((x) => x.kind === 'baseline')!];
    out.push(
      `| 7 | arming: ${a.reports} opened in ${a.windowMs / 1000} s, armed/s, report vs no-logic baseline | **${num(rep.armedPerSecond, 0)}** vs ${num(base.armedPerSecond, 0)} /s (ratio ${num(a.rateRatio)}) | ≥ 100/s or ≥ 0.8 × baseline | ${verdict(t.armingRate)} |`,
    );
    out.push(
      `| 7 | arming: start → first timer armed p50 / p99, report vs baseline | **${p(rep.startToArmedMs)}** vs ${p(base.startToArmedMs)} (p99 ratio ${num(a.p99Ratio)}); ${rep.armed}/${rep.opened} armed | p99 < 5 s${r.meta.mode === 'quick' ? ' (full mode)' : ''} | ${verdict(t.armingP99)} |`,
    );
  }
  if (s.capacity) {
    const last = s.capacity.steps[s.capacity.steps.length - 1];
    out.push(
      `| 2 | open reports held (hours-long timers pending) | ${last.openReports} open, ${last.failed} failed; server ${mb(last.serverRssBytes)}, worker ${mb(last.workerRssBytes)}, ${kb(last.dbBytesPerReport)} SQLite per report | 10,000 | ${verdict(t.capacity)}${r.meta.mode === 'quick' ? ' (quick: scaled down)' : ''} |`,
    );
    out.push(
      `| 2 | open latency at ${last.openReports}: start RPC p50 / p99; start → timer armed p50 / p99 (${last.openToArmedMs.n}/${last.sampled ?? '?'} sampled reports armed) | ${p(last.startRpcMs)}; ${p(last.openToArmedMs)} | — | — |`,
    );
  }
  if (s.latency) {
    out.push(`| 3 | signal → visible in \`report\` query, p50 / p99 | ${p(s.latency.signal)} | p99 ≤ 100 ms | ${verdict(t.signalP99)} |`);
    out.push(`| 3 | update → visible in \`report\` query, p50 / p99 | ${p(s.latency.update)} | p99 ≤ 100 ms | ${verdict(t.updateP99)} |`);
  }
  if (s.escalation) {
    const e = s.escalation;
    out.push(
      `| 4 | escalation lateness, ${e.spread.reports} deadlines spread over ${(e.spread.windowMs / 1000).toFixed(0)} s, p50 / p99 (max) | ${p(e.spread.latenessMs)} (${ms(e.spread.latenessMs.max)}); ${e.spread.missing} missing | p99 ≤ 1 s | ${verdict(t.escalationSpreadP99)} |`,
    );
    out.push(
      `| 4 | escalation lateness, ${e.burst.reports} deadlines on one second (${e.burst.maxDeadlinesPerSecond} in the busiest second), p50 / p99 (max) | ${p(e.burst.latenessMs)} (${ms(e.burst.latenessMs.max)}); ${e.burst.missing} missing | p99 ≤ 5 s and ≤ 1.25 × baseline${r.meta.mode === 'quick' ? ' (full mode)' : ''} | ${verdict(t.escalationBurstP99)} |`,
    );
    for (const [name, g, ratio] of [
      ['spread', e.spreadBaseline, e.spreadP99Ratio],
      ['on one second', e.burstBaseline, e.burstP99Ratio],
    ] as const)
      if (g)
        out.push(
          `| 4 | baseline (no logic, same webhook activity), ${g.reports} deadlines ${name}, p50 / p99 (max); report p99 / baseline p99 | ${p(g.latenessMs)} (${ms(g.latenessMs.max)}); ${g.missing} missing; ratio **${num(ratio ?? Number.NaN)}** | — | — |`,
        );
    out.push(
      `| 4 | polling design (60 s scan), same deadlines, p50 / p99: spread; same second | ${p(e.spread.polling)}; ${p(e.burst.polling)} | — | — |`,
    );
    escalationClockRows(out, e);
  }
  if (s.memoryReplay) {
    const m = s.memoryReplay;
    out.push(
      `| 5 | worker RSS per cached report (slope over ${m.cache.map((c) => c.cachedReports).join('/')}) | ${kb(m.rssBytesPerCachedReport)} | ≤ 0.75 MB | ${verdict(t.memoryPerCachedReport)} |`,
    );
    for (const x of m.replay) {
      const isReport = x.workflow !== 'baseline';
      out.push(
        `| 5 | replay of a ${x.events}-event ${isReport ? 'report' : 'baseline (no logic, same signals)'} history (${x.source}), warm | ${ms(x.replayMs)} (${num(x.msPerEvent * 1000, 0)} µs/event; ${ms(x.msPerEvent * 4096)} per 4,096 events) | ${isReport ? 'per event ≤ 1.1 × baseline' : '—'} | ${isReport && x.events >= 3000 && x.events <= 6000 ? verdict(t.replay4k) : '—'} |`,
      );
    }
  }
  out.push('');
}

function lifecycleSection(out: string[], x: NonNullable<BenchResults['sections']['lifecycle']>): void {
  const l = x;
  out.push(`### 1. Lifecycle throughput (${l.batchSize} lifecycles per batch, ${l.concurrency} in flight)`);
  out.push('');
  out.push('| batch | kind | lifecycles/s | worker CPU ms/lifecycle | server CPU ms/lifecycle | bench CPU ms/lifecycle |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  l.batches.forEach((b, i) =>
    out.push(
      `| ${i + 1} | ${b.kind} | ${num(b.perSecond)} | ${num(b.workerCpuMs / b.lifecycles, 0)} | ${num(b.serverCpuMs / b.lifecycles, 0)} | ${num(b.benchCpuMs / b.lifecycles, 0)} |`,
    ),
  );
  out.push('');
  out.push(
    `Median lifecycle wall time: report ${ms(l.lifecycleMs.report)}, baseline ${ms(l.lifecycleMs.baseline)}. CPU per lifecycle, report vs baseline: worker ${num(l.report.workerCpuMsPerLifecycle, 0)} vs ${num(l.baseline.workerCpuMsPerLifecycle, 0)} ms, server ${num(l.report.serverCpuMsPerLifecycle, 0)} vs ${num(l.baseline.serverCpuMsPerLifecycle, 0)} ms (CPU ratio, baseline / report, worker + server: ${num((l.baseline.workerCpuMsPerLifecycle + l.baseline.serverCpuMsPerLifecycle) / (l.report.workerCpuMsPerLifecycle + l.report.serverCpuMsPerLifecycle))}; server CPU per history event ${num(l.report.serverCpuMsPerLifecycle / l.report.historyEvents, 1)} vs ${num(l.baseline.serverCpuMsPerLifecycle / l.baseline.historyEvents, 1)} ms).`,
  );
  out.push('');
  const types = [...new Set([...Object.keys(l.report.eventTypes), ...Object.keys(l.baseline.eventTypes)])].sort();
  out.push('| history event type | report | baseline |');
  out.push('| --- | --- | --- |');
  for (const type of types) out.push(`| ${type} | ${l.report.eventTypes[type] ?? 0} | ${l.baseline.eventTypes[type] ?? 0} |`);
  out.push('');
}

function armingSection(out: string[], a: NonNullable<BenchResults['sections']['arming']>): void {
  out.push(`### 7. Arming storm (${a.reports} opened in ${a.windowMs / 1000} s, paced)`);
  out.push('');
  out.push(
    '| workflow | opened (failed) | offered / achieved open rate | armed/s | start → armed p50 / p99 | start RPC p50 / p99 | start → accepted p50 / p99 | first task queued for a poller p50 / p99 | first task on the worker p50 / p99 | tasks to arm | CPU ms per armed: worker / server / bench |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const x of a.runs)
    out.push(
      `| ${x.workflowType} | ${x.opened} (${x.failed}) | ${num(x.offeredPerSecond, 0)} / ${num(x.openPerSecond, 0)} /s | ${num(x.armedPerSecond, 0)} | ${p(x.startToArmedMs)} | ${p(x.startRpcMs)} | ${p(x.acceptedMs)} | ${p(x.taskQueuedMs)} | ${p(x.taskOnWorkerMs)} | ${x.tasksToArm} | ${num(x.workerCpuMsPerArmed, 1)} / ${num(x.serverCpuMsPerArmed, 1)} / ${num(x.benchCpuMsPerArmed, 1)} |`,
    );
  out.push('');
  // On a shared machine wall times measure the neighbours too; CPU per armed workflow does not.
  const cpuOf = (x: (typeof a.runs)[number]) => x.workerCpuMsPerArmed + x.serverCpuMsPerArmed + x.benchCpuMsPerArmed;
  for (const x of a.runs)
    out.push(
      `- ${x.workflowType}: ${num(cpuOf(x), 1)} CPU ms per armed workflow (worker + server + load generator): with both cores to itself this machine would arm at most ${num(2000 / cpuOf(x), 0)}/s.`,
    );
  for (const x of a.runs) out.push(`- ${x.workflowType}: history up to the timer: ${x.firstTaskEvents.join(', ')}`);
  out.push('');
}

function capacitySection(out: string[], x: NonNullable<BenchResults['sections']['capacity']>): void {
  out.push(`### 2. Open-report capacity (worker maxCachedWorkflows ${x.workerMaxCachedWorkflows})`);
  out.push('');
  out.push(
    '| open reports | opened/s | start RPC p50 / p99 | every report of the step armed after (armed/s) | start → timer armed p50 / p99 (armed/sampled) | server RSS | worker RSS | SQLite bytes (WAL) | per report |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (let i = 0; i < x.steps.length; i++) {
    const st = x.steps[i];
    const stepReports = st.opened ?? st.openReports - (i > 0 ? x.steps[i - 1].openReports : 0);
    const armed =
      st.allArmedMs === undefined
        ? '—'
        : Number.isFinite(st.allArmedMs)
          ? `${ms(st.allArmedMs)} (${num((stepReports * 1000) / st.allArmedMs, 0)}/s)`
          : `not all within the wait (${st.armedCount} of ${stepReports})`;
    out.push(
      `| ${st.openReports}${st.failed ? ` (${st.failed} failed)` : ''} | ${num(st.openPerSecond, 0)} | ${p(st.startRpcMs)} | ${armed} | ${p(st.openToArmedMs)} (${st.openToArmedMs.n}/${st.sampled ?? '?'}) | ${mb(st.serverRssBytes)} | ${mb(st.workerRssBytes)} | ${mb(st.dbBytes)} (${mb(st.walBytes)}) | ${kb(st.dbBytesPerReport)} |`,
    );
  }
  out.push('');
  out.push(
    'Opened/s is how fast the server accepted starts; armed/s how fast the worker took each new report through its first task (validation, settings, first timer, search attributes). Reports accepted but not yet armed are safe: the server holds their first task until the worker takes it.',
  );
  out.push('');
}

function latencySection(out: string[], x: NonNullable<BenchResults['sections']['latency']>): void {
  const v = x;
  out.push(`### 3. Message to visible (${v.samplesPerKind} samples each)`);
  out.push('');
  out.push('| path | p50 | p90 | p99 | max |');
  out.push('| --- | --- | --- | --- | --- |');
  const row = (name: string, x: Summary) => out.push(`| ${name} | ${ms(x.p50)} | ${ms(x.p90)} | ${ms(x.p99)} | ${ms(x.max)} |`);
  row('signal → visible in query', v.signal);
  row('update → visible in query', v.update);
  row('signal RPC alone', v.signalRpc);
  row('update round trip alone', v.updateRoundTrip);
  row('one `report` query', v.queryRoundTrip);
  out.push('');
}

function escalationSection(out: string[], x: NonNullable<BenchResults['sections']['escalation']>): void {
  const e = x;
  out.push('### 4. Escalation lateness (webhook received − due time from openedAt and policy)');
  out.push('');
  out.push(
    '| deadlines | received | opened < 1 s before due | actual deadline spread | p50 | p90 | p99 | max | polling p50 | polling p99 |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const groups: Array<[string, LatenessGroup | undefined, boolean]> = [
    [`${e.spread.reports} spread over ${(e.spread.windowMs / 1000).toFixed(0)} s`, e.spread, false],
    [`${e.burst.reports} on one second`, e.burst, false],
    [`baseline: ${e.spreadBaseline?.reports} spread`, e.spreadBaseline, true],
    [`baseline: ${e.burstBaseline?.reports} on one second`, e.burstBaseline, true],
    [`response clock: ${e.response?.reports} spread`, e.response, false],
    [`update cadence: ${e.update?.reports} spread`, e.update, false],
  ];
  for (const [name, g, baseline] of groups)
    if (g)
      out.push(
        `| ${name} | ${g.escalationsReceived}/${g.reports} | ${g.openedLate ?? '—'} | ${ms(g.deadlineSpreadMs)} | ${ms(g.latenessMs.p50)} | ${ms(g.latenessMs.p90)} | ${ms(g.latenessMs.p99)} | ${ms(g.latenessMs.max)} | ${baseline ? '—' : ms(g.polling.p50)} | ${baseline ? '—' : ms(g.polling.p99)} |`,
      );
  out.push('');
  const rows = [
    [`${e.spread.reports} spread`, e.spread.breakdown],
    [`${e.burst.reports} on one second`, e.burst.breakdown],
    ['baseline spread', e.spreadBaseline?.breakdown],
    ['baseline on one second', e.burstBaseline?.breakdown],
    ['response clock', e.response?.breakdown],
    ['update cadence', e.update?.breakdown],
  ] as const;
  if (rows.some(([, b]) => b)) {
    out.push('Where the lateness goes (p50 / p99, from the histories of a sample of each group):');
    out.push('');
    out.push(
      '| deadlines | sampled | due → timer set to fire (arming) | set to fire → TimerFired (server timer queue) | due → TimerFired | TimerFired → activity scheduled (workflow task) | scheduled → started (dispatch) | started → webhook received (HTTP) |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, b] of rows)
      if (b)
        out.push(
          `| ${name} | ${b.sampled} | ${p(b.armedMs)} | ${p(b.serverTimerMs)} | ${p(b.timerMs)} | ${p(b.workflowTaskMs)} | ${p(b.dispatchMs)} | ${p(b.httpMs)} |`,
        );
    out.push('');
  }
  out.push(
    `Polling model: a job every ${e.pollingModel.periodMs / 1000} s at a random phase (${e.pollingModel.phases} phases simulated on the same deadlines), one scan of the open reports measured at ${ms(e.pollingModel.scanMs)} (${e.pollingModel.scannedReports} reports listed through visibility), then sends one by one at ${ms(e.pollingModel.sendMs)} each (measured against the same sink). Reports opened at ${num(e.openPerSecond, 0)}/s.`,
  );
  out.push('');
  if (e.cadenceDay) cadenceDaySection(out, e.cadenceDay);
}

type Escalation = NonNullable<BenchResults['sections']['escalation']>;

/** Summary rows of the response and update-cadence clocks (lateness, ratio to the spread baseline) and the day of cadence. */
function escalationClockRows(out: string[], e: Escalation): void {
  for (const [name, g, ratio] of [
    ['response notices', e.response, e.responseP99Ratio],
    ['update-cadence notices', e.update, e.updateP99Ratio],
  ] as const)
    if (g)
      out.push(
        `| 4 | ${name}: lateness, ${g.reports} deadlines spread over ${(e.spread.windowMs / 1000).toFixed(0)} s, p50 / p99 (max); p99 / spread baseline p99 | ${p(g.latenessMs)} (${ms(g.latenessMs.max)}); ${g.missing} missing; ratio **${num(ratio ?? Number.NaN)}** | — | — |`,
      );
  const day = e.cadenceDay;
  if (day) {
    const per = (x: (typeof day.scenarios)[number]) => (x.analysisEveryMin ? `analysis every ${x.analysisEveryMin} min` : 'no analysis');
    const withCadence = day.scenarios.filter((x) => x.updateEvery);
    out.push(
      `| 4 | history events per report per day with updateEvery 1h (critical, time-skipping server): ${withCadence.map(per).join(' / ')}; the cadence's own share | ${withCadence.map((x) => x.eventsPerDay).join(' / ')}; ${day.cadenceShare.map((x) => `+${x.events}`).join(' / ')} over the same reports without cadence | — | — |`,
    );
  }
}

function cadenceDaySection(out: string[], day: NonNullable<Escalation['cadenceDay']>): void {
  out.push(`History events per report per day of cadence (${day.method}; ${ms(day.wallMs)} wall time):`);
  out.push('');
  out.push('| report (critical, default ladder) | analyses | events at open | events after 24 h | events per day | escalations | runs |');
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const x of day.scenarios)
    out.push(
      `| ${x.name} | ${x.analyses} | ${x.eventsAtOpen} | ${x.eventsAfterDay} | **${x.eventsPerDay}** | ${x.escalationsPerDay} | ${x.runs} |`,
    );
  out.push('');
}

function memoryReplaySection(out: string[], x: NonNullable<BenchResults['sections']['memoryReplay']>): void {
  const m = x;
  out.push('### 5. Worker memory per cached report and replay');
  out.push('');
  out.push('| maxCachedWorkflows = reports queried | RSS empty | RSS full | (full − empty)/report | cold query (replay) median |');
  out.push('| --- | --- | --- | --- | --- |');
  for (const c of m.cache)
    out.push(
      `| ${c.cachedReports} | ${mb(c.rssEmptyBytes)} | ${mb(c.rssFullBytes)} | ${kb((c.rssFullBytes - c.rssEmptyBytes) / c.cachedReports)} | ${ms(c.coldQueryMsMedian)} |`,
    );
  out.push('');
  out.push(
    '| history events | workflow | source | replay, warm (median) | first replay (+ worker start) | µs per event (warm) | history bytes |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const x of m.replay)
    out.push(
      `| ${x.events} | ${x.workflow ?? 'report'} | ${x.source} | ${ms(x.replayMs)} | ${ms(x.coldReplayMs)} | ${num(x.msPerEvent * 1000, 0)} | ${kb(x.historyBytes)} |`,
    );
  out.push('');
  for (const note of m.notes) out.push(`- ${note}`);
  out.push('');
}

function profileSection(out: string[], x: NonNullable<BenchResults['sections']['profile']>): void {
  out.push('### Cause analysis: domain core cost per call vs report size (outside the sandbox)');
  out.push('');
  out.push(
    '| analysis + history entries | report JSON | receive() µs | publish (search attrs + details) µs | nextWakeUp µs | tick() µs | query JSON µs |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of x)
    out.push(
      `| ${row.entries} | ${kb(row.reportJsonBytes)} | ${num(row.receiveUs, 0)} | ${num(row.publishUs, 0)} | ${num(row.nextWakeUpUs, 0)} | ${num(row.tickUs, 0)} | ${num(row.queryJsonUs, 0)} |`,
    );
  out.push('');
}

function stormSection(out: string[], x: NonNullable<BenchResults['sections']['storm']>): void {
  const e = x.escalations;
  out.push(`### Alarm storm: ${x.reports} reports on one correlation key, opened over ${x.windowMs / 1000} s`);
  out.push('');
  out.push('| figure | measured |');
  out.push('| --- | --- |');
  out.push(
    `| start → grouped, per child, p50 / p99 (max) | ${p(x.startToGroupedMs)} (${ms(x.startToGroupedMs.max)}); ${x.startToGroupedMs.n} children |`,
  );
  out.push(`| first start → the whole group standing | ${ms(x.allGroupedAfterMs)} |`);
  out.push(
    `| escalations at the lax sink (repeats kept): total; the parent's (levels); any other report's | ${e.total}; ${e.parent} (${e.levels.join(', ')}); **${e.others}** |`,
  );
  out.push(
    `| worker CPU until grouped; for the whole section (average cores) | ${ms(x.workerCpuMsToGrouped)}; ${ms(x.workerCpuMsTotal)} (${num(x.workerCores)}) |`,
  );
  out.push('');
}

function machineShare(out: string[], r: BenchResults): void {
  out.push('### Machine share during each section');
  out.push('');
  out.push('| section | wall | load average | cores used by other processes |');
  out.push('| --- | --- | --- | --- |');
  for (const [name, env] of Object.entries(r.env))
    out.push(`| ${name} | ${ms(env.wallMs)} | ${num(env.loadAverage, 1)} | ${num(env.foreignCores, 2)} |`);
  if (r.meta.errors.length) {
    out.push('');
    out.push('### Errors');
    for (const error of r.meta.errors) out.push(`- ${error}`);
  }
}

/** Writes results.json, results.md and chart.svg to bench/results/<timestamp>/ and copies them to latest/. */
export function writeResults(root: string, r: BenchResults): string {
  const stamp = r.meta.startedAt.replace(/[:.]/g, '-');
  const dir = join(root, stamp);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, 'results.md'), renderMarkdown(r));
  writeFileSync(join(dir, 'chart.svg'), renderChart(r));
  const latest = join(root, 'latest');
  rmSync(latest, { recursive: true, force: true });
  cpSync(dir, latest, { recursive: true });
  return dir;
}
