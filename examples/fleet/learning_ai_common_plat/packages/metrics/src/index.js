import { systemClock } from '@bytelyst/time';

export { renderPrometheus } from './prometheus.js';

export const DEFAULT_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500];

export function createRegistry({ clock = systemClock } = {}) {
  const metrics = new Map();

  function register(name, type, help, init) {
    const existing = metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`Metric ${name} already registered as ${existing.type}`);
      return existing;
    }
    const metric = { name, type, help, ...init };
    metrics.set(name, metric);
    return metric;
  }

  return {
    counter(name, help = '') {
      const m = register(name, 'counter', help, { value: 0 });
      return { inc: (by = 1) => { m.value += by; }, get: () => m.value };
    },
    gauge(name, help = '') {
      const m = register(name, 'gauge', help, { value: 0 });
      return { set: (v) => { m.value = v; }, inc: (by = 1) => { m.value += by; }, get: () => m.value };
    },
    histogram(name, help = '', buckets = DEFAULT_BUCKETS) {
      const m = register(name, 'histogram', help, { buckets, counts: buckets.map(() => 0), sum: 0, count: 0 });
      const observe = (v) => {
        m.sum += v;
        m.count += 1;
        m.buckets.forEach((le, i) => { if (v <= le) m.counts[i] += 1; });
      };
      const startTimer = () => {
        const start = clock.now();
        return () => observe(clock.now() - start);
      };
      return { observe, startTimer };
    },
    snapshot() {
      return [...metrics.values()].map((m) => structuredClone(m));
    },
  };
}
