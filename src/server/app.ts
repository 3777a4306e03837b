// Assembles the HTTP app: body decoding, the error format, the access hook, and the routes
// each capability registers. Capabilities own their routes; this file only wires them in.
import fs from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { TendConfig } from '../config.js';
import { registerAccessHook } from '../auth/index.js';
import { clientErrorHandler, HttpError, readBody, ReceiveBudget, registerSecurityHeaders } from '../http/index.js';
import type { AuthService, People } from '../auth/index.js';

/**
 * Bytes of request bodies Tend holds while they arrive, all requests together: 25 bodies at
 * the 5 MB limit, or hundreds of ordinary batches. Past it a request gets 429.
 */
const RECEIVE_BUDGET_BYTES = 128 * 1024 * 1024;

export function createApp(config: TendConfig, auth: AuthService, people: People): FastifyInstance {
  const tls = config.auth.tls;
  // With https the instance's server type differs; every route and hook is the same.
  const app = Fastify({
    ...(tls ? { https: { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile) } } : {}),
    trustProxy: config.auth.trustProxy,
    logger: { level: config.logLevel },
    bodyLimit: config.ingest.maxBodyBytes,
    // Keep-alive clients (libhoney, OTel exporters, load tests) reuse connections.
    keepAliveTimeout: 65_000,
    // A dataset name may be 255 characters (percent-encoded, up to three times that); the
    // router's default of 100 refused longer names before the route could name the problem.
    routerOptions: { maxParamLength: 1024 },
    clientErrorHandler,
    // A path that is not valid percent-encoding (`/1/batch/%FF`) is refused by the router
    // before the error handler runs; answer it in the same shape, naming the problem.
    frameworkErrors: (err, request, reply) => {
      const bad = err.code === 'FST_ERR_BAD_URL';
      (reply as FastifyReply).code(400).send({ error: bad ? `URL ${request.url.slice(0, 200)}: not valid percent-encoding` : err.message });
    },
  }) as unknown as FastifyInstance;

  // Every body is read and decompressed here as it arrives (limits, minimum rate, bounded
  // bytes in flight: src/http/read-body.ts); routes read JSON or protobuf from the bytes.
  const receiving = new ReceiveBudget(RECEIVE_BUDGET_BYTES);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    readBody(payload, request.headers, config.ingest, receiving).then(
      (body) => done(null, body),
      (err) => done(err),
    );
  });

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      reply.code(err.status).headers(err.headers).send({ error: err.message });
      return;
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      reply.code(status).send({ error: err.message });
      return;
    }
    request.log.error({ err }, 'unhandled error');
    reply.code(500).send({ error: 'internal error: see the server log' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });

  registerSecurityHeaders(app, config.auth.corsOrigins);
  registerAccessHook(app, auth, people);
  return app;
}
