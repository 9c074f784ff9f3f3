/**
 * `npx tsx bench/stats-10k.ts [N]`: how long `starter stats` takes to compute its figures and
 * write its HTML page for N (default 10,000) closed reports. The reports are built by the real
 * core (opened, work started, ticked, cleared, closed; a quarter breach their 1 h target) in
 * memory, so this measures the statistics, not fetching the results from a cluster (that part is
 * `concurrency` (32) `result()` calls at a time; see README "Statistics").
 * With SPDR_STATS_SCREENSHOT=docs/stats.png it also screenshots the page with headless Chromium.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { applyCommand, openReport, parseStartInput, tick, type Command, type Report } from '../src/domain';
import { computeStats, renderStatsHtml } from '../src/client/stats';

const N = Number(process.argv[2] ?? 10_000);
const SERVICES = ['svc-volte-fra1', 'svc-dsl-muc', 'svc-iptv-ber', 'svc-5g-ham', 'svc-mpls-cgn', 'svc-wifi-stu'];
const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;

function apply(r: Report, command: Command, at: number): Report {
  const result = applyCommand(r, command, at);
  if (!result.ok) throw new Error(result.reason);
  return result.report;
}

function build(i: number): Report {
  const opened = Date.parse('2026-11-01T00:00:00Z') + i * 60_000;
  const input = parseStartInput({
    reportId: `B-${i}`,
    service: { id: SERVICES[(i * 7) % SERVICES.length] },
    severity: SEVERITIES[i % 4],
    description: 'degradation',
    detectedAt: new Date(opened).toISOString(),
    jeopardyPolicy: { resolutionTarget: '1h' },
  });
  if (!input.ok) throw new Error(input.reason);
  let r = openReport(input.value, opened).report;
  const ack = opened + (1 + (i % 13)) * 60_000;
  const clear = opened + (10 + ((i * 37) % 70)) * 60_000;
  r = apply(r, { name: 'setStatus', payload: { by: 'noc.anna', status: 'inProgress', reason: 'on it' } } as Command, ack);
  for (let t = ack; t < clear; t += 15 * 60_000) r = tick(r, t).report;
  r = tick(r, clear).report;
  r = apply(r, { name: 'clear', payload: { by: 'noc.anna', resolution: 'fixed' } } as Command, clear);
  return apply(r, { name: 'confirmClosure', payload: { by: 'close.process' } } as Command, clear + 60_000);
}

async function main(): Promise<void> {
  const reports = Array.from({ length: N }, (_, i) => build(i));
  const started = process.hrtime.bigint();
  const stats = computeStats(reports);
  const html = renderStatsHtml(stats, new Date().toISOString());
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const file = join(tmpdir(), `spdr-stats-${process.pid}.html`);
  writeFileSync(file, html);
  console.log(
    `stats over ${N} closed reports: computed and rendered in ${ms.toFixed(1)} ms (${html.length} bytes of HTML, ${stats.breaches} breached)`,
  );
  const shot = process.env.SPDR_STATS_SCREENSHOT;
  if (shot) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
      await page.goto(`file://${file}`);
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
