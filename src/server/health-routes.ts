// GET /healthz (liveness), GET /readyz (readiness), both public, and GET /metrics (Prometheus
// text; any valid key). /healthz says only that the process answers: it does no I/O, so a
// watchdog probing it during a flood is answered between batches (ingest work runs in turns,
// src/http/turns.ts). /readyz says whether Tend accepts writes now, for load balancers: 503
// with the reason while starting or stopping, overloaded, or short of disk (src/disk watches it).
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from '../telemetry/index.js';

export interface ReadinessSources {
  /** Why ingest would refuse new work now (ingest/context.ts busy()), or undefined. */
  ingestBusy(): string | undefined;
  /** Why event writes are refused for lack of disk space (src/disk DiskWatch.problem()), or undefined. */
  diskProblem(): string | undefined;
}

export interface Health {
  /** Call once Tend serves every route: /readyz answers 503 "starting" until then. */
  started(): void;
  /** Call when a stop begins, so load balancers move away before the port closes. */
  stopping(): void;
}

export function registerHealthRoutes(app: FastifyInstance, metrics: MetricsRegistry, sources: ReadinessSources): Health {
  const launched = Date.now();
  let phase: 'starting' | 'serving' | 'stopping' = 'starting';

  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok', uptime_seconds: Math.round((Date.now() - launched) / 1000) }));
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const problem = phase !== 'serving' ? phase : sources.ingestBusy() ?? sources.diskProblem();
    if (problem) reply.code(503).header('retry-after', '1');
    return problem ? { status: 'not ready', reason: problem } : { status: 'ready' };
  });
  app.get('/metrics', { config: { access: 'ingest' } }, async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render() + processMetrics();
  });
  return {
    started: () => {
      if (phase === 'starting') phase = 'serving';
    },
    stopping: () => {
      phase = 'stopping';
    },
  };
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
