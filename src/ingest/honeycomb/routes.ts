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
import { checkBatch } from './check-batch.js';

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
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw badRequest('request body is empty: send a JSON document');
    // Neither the body's bytes nor the parsed items are held while the events wait for their
    // commit (under a flood, 64 requests waiting held both).
    request.body = undefined;
    const receivedUs = Date.now() * 1000;
    const worker = ctx.pipeline.workerThread();
    // Parsed, checked and held by the ingest worker thread when there is one: the main thread stays free.
    const batch = worker ? await worker.check(body, receivedUs, ctx.limits) : checkBatch(body, receivedUs, ctx.limits);
    const statuses = answers(batch.total, batch.problems);
    ctx.rejected.inc(batch.problems.length);
    const env = principalOf(request).env;
    // What the store refused, by index in the body.
    const refused = await overloadedAs429(async () => {
      if ('id' in batch) return ctx.pipeline.submitHeld(env, dataset, batch);
      const problems = await ctx.pipeline.submitEach(env, dataset, batch.good);
      return new Map(problems.flatMap((problem, k) => (problem === undefined ? [] : [[batch.goodAt[k], problem] as const])));
    });
    for (const [i, problem] of refused ?? []) statuses[i] = { status: 400, error: problem };
    reply.code(200).send(statuses);
  });

  app.get<DatasetRoute>('/1/columns/:dataset', async (request) => {
    const ds = await ctx.datasets.find(principalOf(request).env.id, request.params.dataset);
    if (!ds) throw notFound(`dataset "${request.params.dataset}" does not exist in this environment`);
    const columns = await ctx.store.columns(ds.id);
    return columns.map((c) => ({ key_name: c.name, type: c.type, hidden: false, description: '' }));
  });
}

/** One status per item of a batch: accepted, unless it is among the problems. */
function answers(total: number, problems: [number, string][]): { status: number; error?: string }[] {
  const statuses: { status: number; error?: string }[] = new Array(total).fill(ACCEPTED);
  for (const [i, problem] of problems) statuses[i] = { status: 400, error: problem };
  return statuses;
}

function checkedDataset(name: string): string {
  const problem = datasetNameProblem(name);
  if (problem) throw badRequest(`dataset: ${problem}`);
  return name;
}

/** Each event's fate: undefined once committed, else why it was refused. */
function submit(ctx: IngestContext, request: FastifyRequest, dataset: string, events: StoredEvent[]): Promise<(string | undefined)[]> {
  return overloadedAs429(() => ctx.pipeline.submitEach(principalOf(request).env, dataset, events));
}

async function overloadedAs429<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof OverloadedError) throw overloaded(err.message, err.retryAfterSeconds);
    throw err;
  }
}
