/**
 * A counter and a histogram for the request path, exported by a prom-client Registry in
 * exactly prom-client's text format. prom-client hashes and validates the label object on
 * every update (six updates per request: ~8% of a 403's CPU time); these look the series up
 * by its label values in a Map and check the label names once, when a series first appears.
 * A Registry needs of a metric only its name, help, type, `get()` and `reset()`.
 */
import type { Registry } from 'prom-client';

type Labels<L extends string> = Readonly<Record<L, string>>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

abstract class FastMetric<L extends string, S extends { readonly labels: Labels<L> }> {
  readonly aggregator = 'sum';
  protected series = new Map<string, S>();
  /** The series by label value, one Map level per label name: no key string built per update. */
  private index = new Map<string, unknown>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of `labels`, created (after checking the label names) on first use. */
  protected seriesOf(labels: Labels<L>, create: (labels: Labels<L>) => S): S {
    const names = this.labelNames;
    let level = this.index;
    for (let i = 0; i < names.length - 1; i++) {
      const next = level.get(labels[names[i]!]) as Map<string, unknown> | undefined;
      if (!next) return this.created(labels, create);
      level = next;
    }
    return (level.get(labels[names[names.length - 1]!]) as S | undefined) ?? this.created(labels, create);
  }

  private created(labels: Labels<L>, create: (labels: Labels<L>) => S): S {
    const names = this.labelNames;
    const given = Object.keys(labels);
    if (given.length !== names.length || !given.every((n) => (names as readonly string[]).includes(n))) {
      throw new Error(`${this.name}: labels must be exactly ${names.join(', ')} (got ${given.join(', ')})`);
    }
    const key = names.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (s) return s;
    s = create({ ...labels });
    this.series.set(key, s);
    let level = this.index;
    for (let i = 0; i < names.length - 1; i++) {
      const value = labels[names[i]!];
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (!next) level.set(value, (next = new Map()));
      level = next;
    }
    level.set(labels[names[names.length - 1]!], s);
    return s;
  }

  reset(): void {
    this.series.clear();
    this.index.clear();
  }
}

const newCount = <L extends string>(labels: Labels<L>) => ({ labels, value: 0 });

export class FastCounter<L extends string> extends FastMetric<L, { readonly labels: Labels<L>; value: number }> {
  readonly type = 'counter';

  inc(labels: Labels<L>, value = 1): void {
    this.seriesOf(labels, newCount).value += value;
  }

  async get() {
    const values: MetricValue[] = [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

interface HistogramSeries<L extends string> {
  readonly labels: Labels<L>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class FastHistogram<L extends string> extends FastMetric<L, HistogramSeries<L>> {
  readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly L[], private readonly buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  private readonly newSeries = (labels: Labels<L>): HistogramSeries<L> => ({ labels, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 });

  observe(labels: Labels<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite number: ${value}`);
    const s = this.seriesOf(labels, this.newSeries);
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Buckets (cumulative, `le` first), `+Inf`, `_sum`, `_count` per series: prom-client's order. */
  async get() {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
