// `tend migrate`: an embedded install's metadata copied to PostgreSQL, where a scale-out node with
// a fresh data folder finds its keys, checks and markers; the folder is left as it was.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateMetadata } from '../src/cli/migrate.js';
import { loadConfig } from '../src/config.js';
import { startTend } from '../src/server/index.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { startTestTend, tempDataDir } from './support/tend.js';

let pg: PgCluster;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

const digest = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('tend migrate', () => {
  it('copies every metadata table, counts match, and a node on PostgreSQL takes over', async () => {
    const dataDir = tempDataDir('migrate-from');
    fs.writeFileSync(path.join(dataDir, 'tend.yaml'), 'checks:\n  - name: home\n    kind: tcp\n    host: 127.0.0.1\n    port: 1\n    interval: 1h\n');
    const before = await startTestTend({ data: dataDir, config: path.join(dataDir, 'tend.yaml'), meta: undefined });
    const headers = { authorization: `Bearer ${before.adminKey}`, 'content-type': 'application/json' };
    expect((await fetch(`${before.url}/api/v1/keys`, { method: 'POST', headers, body: JSON.stringify({ kind: 'read', name: 'kept' }) })).status).toBe(201);
    await before.close();
    const file = path.join(dataDir, 'tend.duckdb');
    const untouched = digest(file);

    const url = pg.url('migrated');
    const seen = new Set<string>();
    const counts = await migrateMetadata(dataDir, url, (table) => seen.add(table));
    expect(counts.filter((c) => c.from !== c.to)).toEqual([]);
    expect(counts.find((c) => c.table === 'api_keys')).toEqual({ table: 'api_keys', from: 3, to: 3 });
    expect(counts.find((c) => c.table === 'checks')).toMatchObject({ from: 1, to: 1 });
    expect(seen).toContain('environments');
    expect(digest(file)).toBe(untouched);
    // A second run (as after an interruption) is refused: the database now holds an install.
    await expect(migrateMetadata(dataDir, url)).rejects.toThrow(/already holds a Tend install/);

    const node = await startTend(loadConfig({ data: tempDataDir('migrate-to'), meta: url, port: 0, grpcPort: 'off', logLevel: 'error' }, {}), {});
    try {
      expect(node.keys.created).toBe(false);
      const res = await fetch(`${node.url}/api/v1/keys`, { headers });
      expect(((await res.json()) as { keys: { name: string }[] }).keys.map((k) => k.name)).toContain('kept');
      expect(node.checks.service.list((await node.auth.environment('production'))!.id).map((c) => c.name)).toEqual(['home']);
    } finally {
      await node.close();
    }
  });
});
