// POST /api/v1/backups starts a backup of the whole node (every environment: admins only, as
// src/auth/permissions.ts declares) and answers at once; GET /api/v1/backups/:id follows it.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, notFound, parseJsonBody, validate } from '../http/index.js';
import type { BackupSettings } from './config.js';
import { isS3 } from './destination.js';
import type { BackupJobs } from './jobs.js';

const StartBody = z.strictObject({
  dest: z
    .string()
    .min(1)
    .max(1024)
    .refine((d) => isS3(d) || path.isAbsolute(d), 'an absolute folder on the server, or s3://bucket/prefix')
    .refine((d) => !isS3(d) || /^s3:\/\/[^/]+/.test(d), 's3:// needs a bucket: s3://bucket/prefix'),
  keep: z.number().int().min(1).max(10_000).optional(),
});

export interface BackupRoutesDeps {
  jobs: BackupJobs;
  /** tend.yaml's `backups` as this node runs it now (with its next run), undefined when none. */
  schedule: () => (BackupSettings & { next_run: string }) | undefined;
  /** Why backups are refused on this node (events kept elsewhere), undefined when they are not. */
  refused?: string;
}

export function registerBackupRoutes(app: FastifyInstance, { jobs, schedule, refused }: BackupRoutesDeps): void {
  app.post('/api/v1/backups', async (request, reply) => {
    // 409: the request is well formed, but this node's store does not hold what it asks for.
    if (refused) throw new HttpError(409, `backups: ${refused}`);
    const body = validate(StartBody, parseJsonBody(request.body), 'body');
    const { job } = jobs.start(body.dest, 'api', body.keep);
    reply.code(202);
    return job;
  });

  app.get('/api/v1/backups', async () => ({ backups: jobs.list(), schedule: schedule() ?? null, refused: refused ?? null }));

  app.get<{ Params: { id: string } }>('/api/v1/backups/:id', async (request) => {
    const job = jobs.get(request.params.id);
    if (!job) throw notFound(`no backup "${request.params.id}" on this node (finished ones are also in the tend.backups dataset)`);
    return job;
  });
}
