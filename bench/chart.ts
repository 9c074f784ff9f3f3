/**
 * The results chart: a hand-written SVG (no dependency), six small panels, one per figure.
 */
import type { BenchResults } from './results';

const W = 360;
const H = 230;
const M = { left: 54, right: 12, top: 40, bottom: 40 };
const COLORS = {
  report: '#2563eb',
  baseline: '#9ca3af',
  server: '#7c3aed',
  worker: '#059669',
  p50: '#2563eb',
  p99: '#dc2626',
  polling: '#f59e0b',
  target: '#dc2626',
};

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

interface Scale {
  y: (v: number) => number;
  ticks: number[];
}

function linearScale(max: number, min = 0): Scale {
  const top = max <= min ? min + 1 : max * 1.1;
  const step = niceStep((top - min) / 4);
  const hi = min + Math.ceil((top - min) / step) * step;
  const ticks: number[] = [];
  for (let t = min; t <= hi + step / 2; t += step) ticks.push(t);
  const y = (v: number) => M.top + (H - M.top - M.bottom) * (1 - (v - min) / (hi - min));
  return { y, ticks };
}

function logScale(max: number, min: number): Scale {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = Math.ceil(Math.log10(Math.max(max, min * 10)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  const y = (v: number) => M.top + (H - M.top - M.bottom) * (1 - (Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo));
  return { y, ticks };
}

function niceStep(raw: number): number {
  const exp = 10 ** Math.floor(Math.log10(raw || 1));
  const f = raw / exp;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
}

function frame(title: string, scale: Scale, yLabel: string): string {
  const parts = [
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#e5e7eb"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="12" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const t of scale.ticks) {
    const y = scale.y(t);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#f3f4f6"/>`);
    parts.push(`<text x="${M.left - 4}" y="${y + 3}" text-anchor="end" font-size="9">${fmt(t)}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#6b7280"/>`);
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#6b7280"/>`);
  parts.push(
    `<text x="12" y="${(H - M.bottom + M.top) / 2}" font-size="9" transform="rotate(-90 12 ${(H - M.bottom + M.top) / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  return parts.join('');
}

function targetLine(scale: Scale, value: number, label: string): string {
  const y = scale.y(value);
  return `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="${COLORS.target}" stroke-dasharray="4 3"/><text x="${W - M.right - 2}" y="${y - 3}" text-anchor="end" font-size="9" fill="${COLORS.target}">${esc(label)}</text>`;
}

interface Bar {
  label: string;
  value: number;
  color: string;
}

function bars(
  title: string,
  yLabel: string,
  items: Bar[],
  opts: { log?: boolean; target?: { value: number; label: string } } = {},
): string {
  const values = items.map((b) => b.value).filter(Number.isFinite);
  const max = Math.max(...values, opts.target?.value ?? 0, 1e-9);
  const scale = opts.log
    ? logScale(max, Math.max(1, Math.min(...values.filter((v) => v > 0), opts.target?.value ?? Infinity)))
    : linearScale(max);
  const plotW = W - M.left - M.right;
  const slot = plotW / Math.max(1, items.length);
  const parts = [frame(title, scale, yLabel)];
  items.forEach((b, i) => {
    if (!Number.isFinite(b.value)) return;
    const x = M.left + i * slot + slot * 0.15;
    const y = scale.y(b.value);
    parts.push(`<rect x="${x}" y="${y}" width="${slot * 0.7}" height="${Math.max(0, H - M.bottom - y)}" fill="${b.color}"/>`);
    parts.push(`<text x="${x + slot * 0.35}" y="${y - 2}" text-anchor="middle" font-size="8">${fmt(b.value)}</text>`);
    parts.push(`<text x="${x + slot * 0.35}" y="${H - M.bottom + 11}" text-anchor="middle" font-size="8">${esc(b.label)}</text>`);
  });
  if (opts.target) parts.push(targetLine(scale, opts.target.value, opts.target.label));
  return parts.join('');
}

interface Series {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
}

function lines(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  opts: { target?: { value: number; label: string } } = {},
): string {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const maxX = Math.max(...all.map((p) => p.x), 1);
  const scale = linearScale(Math.max(...all.map((p) => p.y), opts.target?.value ?? 0, 1e-9));
  const x = (v: number) => M.left + ((W - M.left - M.right) * v) / (maxX * 1.05);
  const parts = [frame(title, scale, yLabel)];
  for (const t of [0, maxX / 2, maxX])
    parts.push(`<text x="${x(t)}" y="${H - M.bottom + 11}" text-anchor="middle" font-size="8">${fmt(t)}</text>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="9">${esc(xLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.map((p) => `${x(p.x)},${scale.y(p.y)}`).join(' ')}"/>`,
      );
    for (const p of pts) parts.push(`<circle cx="${x(p.x)}" cy="${scale.y(p.y)}" r="3" fill="${s.color}"/>`);
    parts.push(
      `<rect x="${M.left + 6}" y="${M.top + 2 + i * 12}" width="8" height="8" fill="${s.color}"/><text x="${M.left + 18}" y="${M.top + 9 + i * 12}" font-size="9">${esc(s.name)}</text>`,
    );
  });
  if (opts.target) parts.push(targetLine(scale, opts.target.value, opts.target.label));
  return parts.join('');
}

const MB = 1024 * 1024;

/** One panel per figure of the README's table; a section that did not run gets an empty panel. */
/** Panels 5a and 5b: worker memory per cached report, replay time per history length. */
function memoryReplayPanels(r: BenchResults): string[] {
  const panels: string[] = [];
  const m = r.sections.memoryReplay;
  panels.push(
    m
      ? lines(`5a. Worker RSS vs cached reports (${(m.rssBytesPerCachedReport / 1024).toFixed(0)} KB each)`, 'cached reports', 'MB', [
          { name: 'worker RSS', color: COLORS.worker, points: m.cache.map((p) => ({ x: p.cachedReports, y: p.rssFullBytes / MB })) },
        ])
      : bars('5a. Memory per cached report (not run)', '', []),
  );
  panels.push(
    m
      ? lines(
          '5b. Replay time vs history events',
          'events',
          'ms',
          [{ name: 'replay ms', color: COLORS.report, points: m.replay.map((p) => ({ x: p.events, y: p.replayMs })) }],
          {
            target: { value: 1000, label: '1 s (4,096 events)' },
          },
        )
      : bars('5b. Replay (not run)', '', []),
  );
  return panels;
}

function panelsOf(r: BenchResults): string[] {
  const panels: string[] = [];
  const l = r.sections.lifecycle;
  panels.push(
    l
      ? bars(
          `1. Lifecycles/s per batch (ratio ${l.ratio.toFixed(2)})`,
          'lifecycles/s',
          l.batches.map((b, i) => ({
            label: `${b.kind === 'report' ? 'R' : 'B'}${i + 1}`,
            value: b.perSecond,
            color: b.kind === 'report' ? COLORS.report : COLORS.baseline,
          })),
        )
      : bars('1. Lifecycle throughput (not run)', '', []),
  );
  const c = r.sections.capacity;
  panels.push(
    c
      ? lines('2. Resident memory vs open reports', 'open reports', 'MB', [
          { name: 'server RSS', color: COLORS.server, points: c.steps.map((s) => ({ x: s.openReports, y: s.serverRssBytes / MB })) },
          { name: 'worker RSS', color: COLORS.worker, points: c.steps.map((s) => ({ x: s.openReports, y: s.workerRssBytes / MB })) },
          { name: 'SQLite MB', color: COLORS.polling, points: c.steps.map((s) => ({ x: s.openReports, y: s.dbBytes / MB })) },
        ])
      : bars('2. Capacity (not run)', '', []),
  );
  const v = r.sections.latency;
  panels.push(
    v
      ? bars(
          '3. Message to visible in query (ms)',
          'ms',
          [
            { label: 'signal p50', value: v.signal.p50, color: COLORS.p50 },
            { label: 'signal p99', value: v.signal.p99, color: COLORS.p99 },
            { label: 'update p50', value: v.update.p50, color: COLORS.p50 },
            { label: 'update p99', value: v.update.p99, color: COLORS.p99 },
          ],
          { target: { value: 100, label: 'target p99 100 ms' } },
        )
      : bars('3. Latency (not run)', '', []),
  );
  const e = r.sections.escalation;
  panels.push(
    e
      ? bars(
          '4. Escalation lateness p99 (ms, log)',
          'ms',
          [
            { label: 'spread', value: e.spread.latenessMs.p99, color: COLORS.report },
            ...(e.spreadBaseline ? [{ label: 'base spread', value: e.spreadBaseline.latenessMs.p99, color: COLORS.baseline }] : []),
            { label: 'poll spread', value: e.spread.polling.p99, color: COLORS.polling },
            { label: 'same second', value: e.burst.latenessMs.p99, color: COLORS.report },
            ...(e.burstBaseline ? [{ label: 'base same s', value: e.burstBaseline.latenessMs.p99, color: COLORS.baseline }] : []),
            { label: 'poll same s', value: e.burst.polling.p99, color: COLORS.polling },
          ],
          { log: true, target: { value: 1000, label: 'target 1 s (spread)' } },
        )
      : bars('4. Escalation lateness (not run)', '', []),
  );
  panels.push(...memoryReplayPanels(r));
  return panels;
}

export function renderChart(r: BenchResults): string {
  const panels = panelsOf(r);
  const cols = 3;
  const rows = Math.ceil(panels.length / cols);
  const header = 28;
  const body = panels
    .map((p, i) => `<g transform="translate(${(i % cols) * (W + 8)}, ${header + Math.floor(i / cols) * (H + 8)})">${p}</g>`)
    .join('\n');
  const width = cols * (W + 8);
  const height = header + rows * (H + 8);
  const subtitle = `${r.meta.mode} mode · ${r.meta.startedAt} · SQLite ${r.meta.journalMode} · ${r.meta.cpus} cores · load avg ${r.meta.loadAverageStart.toFixed(1)} at start`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#f9fafb"/>
<text x="6" y="18" font-size="13" font-weight="bold">SPDR orchestrator benchmark</text><text x="${width - 6}" y="18" font-size="10" text-anchor="end">${esc(subtitle)}</text>
${body}
</svg>
`;
}
