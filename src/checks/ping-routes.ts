// Heartbeat pings, compatible with healthchecks.io's Pinging API: public routes (the uuid or
// the ping key is the secret), GET, HEAD and POST, answering "OK" in plain text.
//   /ping/<uuid>[/start|/fail|/log|/<exit-status>]
//   /ping/<ping-key>/<name>[/start|/fail|/log|/<exit-status>]   (?create=1 makes a missing heartbeat)
// ?rid=<uuid> pairs a start with its finish. The first 10 KB of a body are kept with the ping.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { slugify } from '../auth/index.js';
import { CHECK_NAME } from './definition.js';
import type { PingKind } from './heartbeat.js';
import type { CheckRecord } from './check-store.js';
import type { ChecksService } from './service.js';

export const PING_BODY_LIMIT = 10 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type PingRequest = FastifyRequest<{ Params: { a: string; b?: string; c?: string }; Querystring: { rid?: string; create?: string } }>;

interface Action {
  kind: PingKind;
  exitStatus?: number;
}

/** start | fail | log | 0-255 | nothing; undefined when the word is none of those. */
function parseAction(word: string | undefined): Action | undefined {
  if (word === undefined) return { kind: 'success' };
  if (word === 'start' || word === 'fail' || word === 'log') return { kind: word };
  if (/^\d{1,3}$/.test(word) && Number(word) <= 255) {
    const exitStatus = Number(word);
    return { kind: exitStatus === 0 ? 'success' : 'fail', exitStatus };
  }
  return undefined;
}

const answer = (reply: FastifyReply, status: number, text: string) => reply.code(status).type('text/plain; charset=utf-8').send(text);

export function registerPingRoutes(app: FastifyInstance, checks: ChecksService): void {
  const handler = async (request: PingRequest, reply: FastifyReply) => {
    const { a, b, c } = request.params;
    let rec: CheckRecord | undefined;
    let actionWord: string | undefined;
    let created = false;
    if (UUID.test(a)) {
      if (c !== undefined) return answer(reply, 400, 'invalid url format');
      actionWord = b;
      rec = checks.byUuid(a.toLowerCase());
    } else {
      if (b === undefined) return answer(reply, 404, 'not found');
      actionWord = c;
      if (!parseAction(actionWord)) return answer(reply, 400, 'invalid url format');
      const env = await checks.envOfPingKey(a);
      if (!env) return answer(reply, 404, 'not found');
      rec = checks.find(env.id, b);
      const create = request.query.create;
      if (!rec && create !== undefined && create !== '0') {
        if (!CHECK_NAME.test(b) || slugify(b) === '') return answer(reply, 400, 'invalid url format');
        rec = await checks.autoProvision(env, b);
        created = true;
      }
    }
    const action = parseAction(actionWord);
    if (!action) return answer(reply, 400, 'invalid url format');
    const rid = request.query.rid;
    if (rid !== undefined && !UUID.test(rid)) return answer(reply, 400, 'invalid url format');
    if (!rec || rec.kind !== 'heartbeat') return answer(reply, 404, 'not found');
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await checks.ping(rec, action.kind, { rid: rid?.toLowerCase(), exitStatus: action.exitStatus }, {
      method: request.method,
      remoteAddr: request.ip,
      userAgent: request.headers['user-agent'],
      body: raw.length ? raw.subarray(0, PING_BODY_LIMIT).toString('utf8') : undefined,
      bodyBytes: raw.length,
    });
    return created ? answer(reply, 201, 'Created') : answer(reply, 200, 'OK');
  };
  const opts = { config: { access: 'public' as const } };
  for (const path of ['/ping/:a', '/ping/:a/:b', '/ping/:a/:b/:c']) {
    app.get(path, opts, handler);
    app.post(path, opts, handler);
  }
}
