import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '@bytelyst/time';
import { createRegistry, renderPrometheus } from '../src/index.js';

test('counters and gauges', () => {
  const registry = createRegistry();
  const requests = registry.counter('http_requests_total', 'Requests served');
  requests.inc();
  requests.inc(2);
  assert.equal(requests.get(), 3);
  assert.equal(registry.counter('http_requests_total').get(), 3, 'same metric by name');
  const inflight = registry.gauge('inflight');
  inflight.set(4);
  inflight.inc(-1);
  assert.equal(inflight.get(), 3);
  assert.throws(() => registry.gauge('http_requests_total'), /already registered/);
});

test('histogram timer uses injected clock', () => {
  const clock = fixedClock(0);
  const registry = createRegistry({ clock });
  const latency = registry.histogram('latency_ms', 'Latency', [10, 100]);
  const stop = latency.startTimer();
  clock.advance(42);
  stop();
  const [snap] = registry.snapshot();
  assert.deepEqual(snap.counts, [0, 1]);
  assert.equal(snap.sum, 42);
});

test('renderPrometheus', () => {
  const registry = createRegistry();
  registry.counter('jobs.done', 'Finished jobs').inc(5);
  registry.histogram('size', '', [1]).observe(0.5);
  const text = renderPrometheus(registry.snapshot());
  assert.match(text, /# TYPE jobs_done counter\njobs_done 5\n/);
  assert.match(text, /size_bucket\{le="\+Inf"\} 1/);
});
