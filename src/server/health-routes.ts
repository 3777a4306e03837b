// GET /healthz (public) and GET /metrics (Prometheus text; any valid key).
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from '../telemetry/index.js';

export function registerHealthRoutes(app: FastifyInstance, metrics: MetricsRegistry): void {
  const started = Date.now();
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok', uptime_seconds: Math.round((Date.now() - started) / 1000) }));
  app.get('/metrics', { config: { access: 'ingest' } }, async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render() + processMetrics();
  });
}

function processMetrics(): string {
  const mem = process.memoryUsage();
  return [
    '# HELP tend_process_resident_bytes Resident memory of the Tend process',
    '# TYPE tend_process_resident_bytes gauge',
    `tend_process_resident_bytes ${mem.rss}`,
    '# HELP tend_process_heap_bytes V8 heap in use',
    '# TYPE tend_process_heap_bytes gauge',
    `tend_process_heap_bytes ${mem.heapUsed}`,
    '',
  ].join('\n');
}
