// SLO evaluation is owned through a lease row in the metadata store: of two nodes sharing it,
// one evaluates; the other takes over only once the lease has run out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Leases } from '../alerts/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore } from '../store/index.js';
import { DerivedColumns } from './derived-columns.js';
import { SloService } from './slo-service.js';
import { SloStore } from './slo-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slo-lease-'));
const db = await DuckDatabase.open(dir);

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function node(name: string, now: () => number): Promise<SloService> {
  return new SloService({
    store: await SloStore.open(db),
    derived: await DerivedColumns.open(db),
    query: { store: await DuckEventStore.open(db), datasets: await DatasetRegistry.open(db) },
    leases: await Leases.open(db, name),
    alerts: { report: async () => undefined },
    write: async () => undefined,
    environments: async () => [],
    log: { error: () => undefined },
    intervalMs: 60_000,
    queryTimeoutMs: 10_000,
    now,
  });
}

describe('SLO evaluation lease', () => {
  it('lets one node evaluate at a time, and another take over once the lease runs out', async () => {
    let clock = Date.now();
    const a = await node('node-a', () => clock);
    const b = await node('node-b', () => clock);
    expect(await a.evaluateIfOwner()).toBeDefined();
    expect(await b.evaluateIfOwner()).toBeUndefined();
    // Renewed by its holder; held for three intervals (180 s here).
    clock += 170_000;
    expect(await a.evaluateIfOwner()).toBeDefined();
    clock += 179_000;
    expect(await b.evaluateIfOwner()).toBeUndefined();
    clock += 2_000;
    expect(await b.evaluateIfOwner()).toBeDefined();
    expect(await a.evaluateIfOwner()).toBeUndefined();
  });
});
