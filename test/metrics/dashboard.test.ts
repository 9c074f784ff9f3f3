/**
 * The Grafana dashboard (deploy/grafana/dashboards) and the Prometheus of docker-compose.yml:
 * every PromQL expression names only metrics the worker exports (the spdr_ registry here; the
 * SDK's temporal_ names are checked against a live scrape in prometheus.test.ts), the Prometheus
 * config passes promtool, and the compose services use pinned images on loopback ports.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpdrMetrics } from '../../src/metrics/spdr-metrics';
import { dashboardExprs, metricNames } from './dashboard-exprs';

const base = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('Grafana dashboard', () => {
  it('uses only exported spdr_ metrics and covers every one of them', () => {
    const exported = new Set(new SpdrMetrics().registry.names());
    const used = new Set(
      dashboardExprs()
        .flatMap(metricNames)
        .filter((n) => n.startsWith('spdr_'))
        .map(base),
    );
    for (const name of used) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
    for (const name of exported) expect({ name, used: used.has(name) }).toEqual({ name, used: true });
    expect(
      dashboardExprs()
        .flatMap(metricNames)
        .some((n) => n.startsWith('temporal_')),
    ).toBe(true);
  });

  it('counters are summed over workers, the cluster-wide gauge is not', () => {
    for (const expr of dashboardExprs()) {
      if (expr.includes('spdr_open_reports')) expect(expr).toMatch(/^max /);
      else if (/spdr_\w+_total/.test(expr)) expect(expr).toMatch(/sum by/);
    }
  });
});

describe('Prometheus and Grafana in docker-compose.yml', () => {
  // docker-compose 1.x prints YAML only: the service blocks are read from the validated file's text.
  execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
    stdio: 'pipe',
    // The file has no default secrets: an operator sets these (test/docker-compose.test.ts checks that it stops without them).
    env: { ...process.env, POSTGRES_PASSWORD: 'p', SPDR_TROUBLE_CALLBACK_SECRET: 'c'.repeat(64), GRAFANA_ADMIN_PASSWORD: 'g' },
  });
  const text = readFileSync('docker-compose.yml', 'utf8');
  const block = (name: string): string => {
    const m = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(text);
    if (!m) throw new Error(`service ${name} missing in docker-compose.yml`);
    return m[1];
  };

  it('runs pinned Prometheus and Grafana images on loopback ports, and the worker exposes 9464 on loopback', () => {
    expect(block('prometheus')).toMatch(/image: prom\/prometheus:v\d+\.\d+\.\d+\n/);
    expect(block('grafana')).toMatch(/image: grafana\/grafana:\d+\.\d+\.\d+\n/);
    for (const name of ['prometheus', 'grafana', 'worker']) {
      const ports = [...block(name).matchAll(/^      - ['"]([^'"]+)['"]$/gm)].map((m) => m[1]);
      expect(ports.length).toBeGreaterThan(0);
      for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    expect(block('worker')).toMatch(/SPDR_METRICS_PORT: ['"]9464['"]/);
    expect(block('worker')).toMatch(/['"]127\.0\.0\.1:9464:9464['"]/);
  });

  it('its Prometheus config is valid (promtool) and scrapes the worker', () => {
    expect(() => execFileSync('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'], { stdio: 'pipe' })).not.toThrow();
    expect(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')).toContain('worker:9464');
  });
});
