// `tend keys create|list|revoke`. With the server stopped, these open the data folder
// directly and may touch any environment. While a server holds the folder (DuckDB allows one
// writer process), they go through its API with an admin key, which reaches only its own
// environment. Naming a server (--url, TEND_URL) also goes through its API; a server holding
// the folder is found through the server.json it wrote there.
import type { Command } from 'commander';
import { AuthService, KEY_KINDS, slugify, type KeyKind, type KeyRecord } from '../auth/index.js';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { folderAudit, onFolderOrServer, type FolderAudit } from './data-folder.js';
import { formatTable } from './table.js';

type Direct = (auth: AuthService, audit: FolderAudit) => Promise<unknown>;
type ViaApi = (opts: ClientOptions) => Promise<unknown>;

/** `direct` on the stopped data folder, else `viaApi` through the server holding it (or named). */
function withKeys(opts: ClientOptions, direct: Direct, viaApi: ViaApi): Promise<void> {
  return onFolderOrServer(
    opts,
    async (db) => {
      const audit = await folderAudit(db);
      await direct(await AuthService.open(db), audit);
      audit.done();
    },
    async (url) => {
      await viaApi({ ...opts, url: url ?? opts.url });
    },
  );
}

function printKeys(keys: KeyRecord[]): void {
  const rows = keys.map((k) => [k.id, k.kind, k.environment, k.revokedAt ? `revoked ${k.revokedAt}` : 'active', k.createdAt, k.name]);
  process.stdout.write(formatTable(['ID', 'KIND', 'ENVIRONMENT', 'STATE', 'CREATED', 'NAME'], rows));
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Manage API keys (stored hashed; a key is shown once, when created)');

  clientOptions(
    keys
      .command('create')
      .description('Create a key; the environment is created if it does not exist')
      .requiredOption('--kind <kind>', `ingest (send events), read (queries only) or admin (everything)`)
      .option('--env <name>', "environment (default: production; with a running server, the admin key's own)")
      .option('--name <name>', 'a label to recognise the key by'),
  ).action(async (opts: ClientOptions & { kind: string; env?: string; name?: string }) => {
    if (!KEY_KINDS.includes(opts.kind as KeyKind)) throw new Error(`--kind must be ingest, read or admin, got "${opts.kind}"`);
    const show = (r: { key: string; id: string; environment: string }) =>
      process.stdout.write(`${r.key}\n  id ${r.id}, environment ${r.environment}. Shown once: store it now.\n`);
    await withKeys(
      opts,
      async (auth, audit) => {
        const created = await auth.createKey(opts.env ?? 'production', opts.kind as KeyKind, { name: opts.name });
        await audit.record((await auth.environment(created.record.environment))!, 'key.create', { kind: 'key', id: created.record.id }, { after: created.record });
        show({ key: created.key, ...created.record });
      },
      async (o) => {
        // Through the API a key is made in the admin key's environment; never silently elsewhere.
        const own = (await callApi<{ environment: { slug: string } }>(o, 'admin', 'GET', '/1/auth')).environment.slug;
        if (opts.env !== undefined && slugify(opts.env) !== own) {
          throw new Error(
            `--env ${opts.env}: a server is running on this data folder and the admin key given reaches only environment "${own}"; ` +
              `pass --key with an admin key of "${opts.env}", or stop the server`,
          );
        }
        show(await callApi(o, 'admin', 'POST', '/api/v1/keys', { kind: opts.kind, name: opts.name }));
      },
    );
  });

  clientOptions(keys.command('list').description('List keys (never their secrets)')).action(async (opts: ClientOptions) => {
    await withKeys(
      opts,
      async (auth) => printKeys(await auth.listKeys()),
      async (o) => printKeys((await callApi<{ keys: KeyRecord[] }>(o, 'admin', 'GET', '/api/v1/keys')).keys),
    );
  });

  clientOptions(keys.command('revoke <id>').description('Revoke a key by its id; requests with it get 401 at once')).action(
    async (id: string, opts: ClientOptions) => {
      await withKeys(
        opts,
        async (auth, audit) => {
          const key = (await auth.listKeys()).find((k) => k.id === id && !k.revokedAt);
          if (!key || !(await auth.revokeKey(id))) throw new Error(`no active key with id "${id}"`);
          await audit.record((await auth.environment(key.environment))!, 'key.revoke', { kind: 'key', id });
          process.stdout.write(`revoked ${id}\n`);
        },
        async (o) => {
          await callApi(o, 'admin', 'DELETE', `/api/v1/keys/${encodeURIComponent(id)}`);
          process.stdout.write(`revoked ${id}\n`);
        },
      );
    },
  );
}
