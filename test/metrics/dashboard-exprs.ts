/** The Grafana dashboard's PromQL expressions and the metric names they use (shared by two tests). */
import { readFileSync } from 'node:fs';

export const DASHBOARD = 'deploy/grafana/dashboards/spdr-service-quality.json';

export function dashboardExprs(): string[] {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return d.panels.flatMap((p) => p.targets.map((t) => t.expr));
}

/** Metric names an expression uses. */
export function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:spdr|temporal)_[a-z0-9_]+)/g)].map((m) => m[1]);
}
