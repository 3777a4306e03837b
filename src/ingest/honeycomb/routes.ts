// Honeycomb's Events API: POST /1/events/:dataset (one event), POST /1/batch/:dataset (an
// array, one status per event), GET /1/columns/:dataset. Compatible with libhoney and with
// the curl examples in Honeycomb's docs.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { principalOf } from '../../auth/index.js';
import { parseJsonBody, badRequest, notFound, overloaded } from '../../http/index.js';
import { datasetNameProblem, type StoredEvent } from '../../store/index.js';
import type { IngestContext } from '../context.js';
import { normalizeEvent } from '../normalize.js';
import { OverloadedError } from '../pipeline.js';

type DatasetRoute = { Params: { dataset: string } };

/** One shared answer for every accepted event of a batch. */
const ACCEPTED = Object.freeze({ status: 202 });

export function registerHoneycombRoutes(app: FastifyInstance, ctx: IngestContext): void {
  const ingest = { config: { access: 'ingest' as const }, ...ctx.admission };

  app.post<DatasetRoute>('/1/events/:dataset', ingest, async (request, reply) => {
    const dataset = checkedDataset(request.params.dataset);
    const body = parseJsonBody(request.body);
    const header = (name: string) => {
      const v = request.headers[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const result = normalizeEvent(body, header('x-honeycomb-event-time'), header('x-honeycomb-samplerate'), Date.now() * 1000, ctx.limits);
    if (!result.ok) {
      ctx.rejected.inc(1);
      // Time and sample rate came from headers here: say so.
      throw badRequest(result.problem.replace(/^time:/, 'X-Honeycomb-Event-Time:').replace(/^samplerate:/, 'X-Honeycomb-Samplerate:'));
    }
    const [problem] = await submit(ctx, request, dataset, [result.event]);
    if (problem !== undefined) throw badRequest(problem);
    reply.code(202).send();
  });

  app.post<DatasetRoute>('/1/batch/:dataset', ingest, async (request, reply) => {
    const dataset = checkedDataset(request.params.dataset);
    const { statuses, good, goodAt } = checkBatch(request, ctx);
    const problems = await submit(ctx, request, dataset, good);
    problems.forEach((problem, k) => {
      if (problem !== undefined) statuses[goodAt[k]] = { status: 400, error: problem };
    });
    reply.code(200).send(statuses);
  });

  app.get<DatasetRoute>('/1/columns/:dataset', async (request) => {
    const ds = await ctx.datasets.find(principalOf(request).env.id, request.params.dataset);
    if (!ds) throw notFound(`dataset "${request.params.dataset}" does not exist in this environment`);
    const columns = await ctx.store.columns(ds.id);
    return columns.map((c) => ({ key_name: c.name, type: c.type, hidden: false, description: '' }));
  });
}

/**
 * Parses and checks a batch. Only what is kept leaves this function: while the events wait for
 * their commit, neither the body's bytes nor the parsed items they came from are held (under a
 * flood, 64 requests waiting held both).
 */
function checkBatch(request: FastifyRequest, ctx: IngestContext) {
  const body = parseJsonBody(request.body);
  request.body = undefined;
  if (!Array.isArray(body)) throw badRequest('request body: expected a JSON array of {"data": {...}, "time"?, "samplerate"?} objects');
  const receivedUs = Date.now() * 1000;
  const statuses: { status: number; error?: string }[] = new Array(body.length);
  const good: StoredEvent[] = [];
  /** good[k] is body[goodAt[k]]. */
  const goodAt: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const item = body[i] as { data?: unknown; time?: unknown; samplerate?: unknown } | null;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      statuses[i] = { status: 400, error: `event ${i}: expected an object with a "data" field` };
      continue;
    }
    const r = normalizeEvent(item.data, item.time, item.samplerate, receivedUs, ctx.limits);
    if (r.ok) {
      good.push(r.event);
      goodAt.push(i);
      statuses[i] = ACCEPTED;
    } else {
      statuses[i] = { status: 400, error: r.problem };
    }
  }
  ctx.rejected.inc(body.length - good.length);
  return { statuses, good, goodAt };
}

function checkedDataset(name: string): string {
  const problem = datasetNameProblem(name);
  if (problem) throw badRequest(`dataset: ${problem}`);
  return name;
}

/** Each event's fate: undefined once committed, else why it was refused. */
async function submit(ctx: IngestContext, request: FastifyRequest, dataset: string, events: StoredEvent[]): Promise<(string | undefined)[]> {
  try {
    return await ctx.pipeline.submitEach(principalOf(request).env, dataset, events);
  } catch (err) {
    if (err instanceof OverloadedError) throw overloaded(err.message, err.retryAfterSeconds);
    throw err;
  }
}
