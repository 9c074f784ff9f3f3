/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
 * with labels. No dependency: the worker's own metrics are a dozen series.
 */

export type Labels = Readonly<Record<string, string>>;

interface Series {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function renderLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function formatNumber(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
  }

  protected check(labels: Labels): void {
    const names = Object.keys(labels).sort();
    const expected = [...this.labelNames].sort();
    if (names.join(',') !== expected.join(','))
      throw new Error(`${this.name}: labels must be ${expected.join(', ') || 'none'} (got ${names.join(', ') || 'none'})`);
  }

  abstract render(): string;
}

export class Counter extends Metric {
  private readonly series = new Map<string, Series>();

  inc(labels: Labels = {}, by = 1): void {
    this.check(labels);
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up`);
    const key = keyOf(labels);
    const s = this.series.get(key) ?? { labels, value: 0 };
    s.value += by;
    this.series.set(key, s);
  }

  get(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const s of this.series.values()) lines.push(`${this.name}${renderLabels(s.labels)} ${formatNumber(s.value)}`);
    return lines.join('\n');
  }
}

export class Gauge extends Metric {
  private series = new Map<string, Series>();

  set(labels: Labels, value: number): void {
    this.check(labels);
    this.series.set(keyOf(labels), { labels, value });
  }

  /** Replaces every series at once (a collector's fresh reading). */
  replace(values: ReadonlyArray<{ labels: Labels; value: number }>): void {
    const next = new Map<string, Series>();
    for (const { labels, value } of values) {
      this.check(labels);
      next.set(keyOf(labels), { labels, value });
    }
    this.series = next;
  }

  get(labels: Labels = {}): number | undefined {
    return this.series.get(keyOf(labels))?.value;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const s of this.series.values()) lines.push(`${this.name}${renderLabels(s.labels)} ${formatNumber(s.value)}`);
    return lines.join('\n');
  }
}

export class Histogram extends Metric {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(labels: Labels, value: number): void {
    this.check(labels);
    const key = keyOf(labels);
    const s = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((le, i) => {
      if (value <= le) s.counts[i] += 1;
    });
    s.sum += value;
    s.count += 1;
    this.series.set(key, s);
  }

  count(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }

  sum(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.sum ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket${renderLabels(s.labels, ['le', formatNumber(le)])} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${renderLabels(s.labels, ['le', '+Inf'])} ${s.count}`);
      lines.push(`${this.name}_sum${renderLabels(s.labels)} ${formatNumber(s.sum)}`);
      lines.push(`${this.name}_count${renderLabels(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }

  names(): string[] {
    return this.metrics.map((m) => m.name);
  }

  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}
