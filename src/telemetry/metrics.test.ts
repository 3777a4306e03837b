import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and cumulative histogram buckets', () => {
    const r = new MetricsRegistry();
    const c = r.counter('tend_events_total', 'events');
    c.inc(3, { result: 'accepted' });
    c.inc(1, { result: 'rejected' });
    c.inc(2, { result: 'accepted' });
    r.gauge('tend_queue_depth', 'queued', () => 7);
    const h = r.histogram('tend_commit_seconds', 'commit', [0.01, 0.1]);
    h.observe(0.005);
    h.observe(0.05);
    h.observe(5);
    const text = r.render();
    expect(text).toContain('tend_events_total{result="accepted"} 5');
    expect(text).toContain('tend_events_total{result="rejected"} 1');
    expect(text).toContain('tend_queue_depth 7');
    expect(text).toContain('tend_commit_seconds_bucket{le="0.01"} 1');
    expect(text).toContain('tend_commit_seconds_bucket{le="0.1"} 2');
    expect(text).toContain('tend_commit_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('tend_commit_seconds_count 3');
  });
});
