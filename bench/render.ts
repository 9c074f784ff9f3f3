/**
 * Re-renders a run's results.md and chart.svg from its results.json with the current renderer
 * (targets and tables), e.g. after the targets changed: `npx tsx bench/render.ts bench/results/<run>`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart';
import { renderMarkdown, type BenchResults } from './output';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx bench/render.ts <results directory>');
  process.exit(2);
}
const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
writeFileSync(join(dir, 'results.md'), renderMarkdown(results));
writeFileSync(join(dir, 'chart.svg'), renderChart(results));
process.stdout.write(renderMarkdown(results));
