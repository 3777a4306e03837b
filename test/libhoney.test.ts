// Item 11 of issue 2: the real `libhoney` npm client, configured as an application would
// (apiHost, writeKey, dataset), sends 10,000 events to `tend serve` running as a child
// process, and every one is found in the store with its fields, time and sample rate.
// Needs the built CLI: `npm run build` first.
//
// How libhoney sends (read from node_modules/libhoney/dist/libhoney.cjs.js, v4): events queue
// in the transmission (at most `pendingWorkCapacity`, 10,000 by default; more are dropped with a
// "queue overflow" response) and go out as POST {apiHost}/1/batch/{dataset} with the key in
// X-Honeycomb-Team, `batchSizeTrigger` (50) events per request, up to 10 requests at once, each
// event as {data, time (ISO string), samplerate}. Every event gets one response with its
// status_code; a `responseCallback` option receives them all (the default keeps only the
// last 1,000 in a queue). `flush()` resolves once the queue is empty and no batch is in flight.
// `send()` samples at `sampleRate` on the client; `sendPresampled()` sends the event as
// already sampled, with its sampleRate, which is what this test checks the store keeps.
import fs from 'node:fs';
import Libhoney, { type LibhoneyResponse } from 'libhoney';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, spawnTend, startTestTend, tempDataDir, type ChildTend } from './support/tend.js';
import { storedEvents } from './support/stored.js';

const EVENTS = 10_000;
const DATASET = 'Libhoney-Client';

let server: ChildTend | undefined;
afterAll(async () => server?.stop('SIGKILL'));

/** What event `i` carries: varied types, nesting, and a sample rate on every third. */
function eventFor(i: number, base: number) {
  return {
    data: {
      seq: i,
      endpoint: `/api/items/${i % 17}`,
      customer_id: `cust-${(i * 7919) % 100_000}`,
      status_code: i % 10 === 0 ? 500 : 200,
      duration_ms: i / 8,
      cache_hit: i % 2 === 0,
      http: { method: i % 3 === 0 ? 'POST' : 'GET', route: '/api/items/:id' },
    },
    timestamp: new Date(base + i),
    sampleRate: i % 3 === 0 ? 10 : 1,
  };
}

describe('libhoney', () => {
  it(`delivers ${EVENTS.toLocaleString('en')} events through the real client, each stored with its fields and sample rate`, { timeout: 90_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    const dataDir = tempDataDir('tend-libhoney');
    server = await spawnTend(dataDir);

    const responses: LibhoneyResponse[] = [];
    const hny = new Libhoney({
      apiHost: server.url,
      writeKey: server.ingestKey,
      dataset: DATASET,
      responseCallback: (batch) => responses.push(...batch),
    });
    const base = Date.now() - 3_600_000;
    for (let i = 0; i < EVENTS; i++) {
      const e = eventFor(i, base);
      const ev = hny.newEvent();
      ev.add(e.data);
      ev.timestamp = e.timestamp;
      ev.sampleRate = e.sampleRate;
      ev.metadata = i;
      ev.sendPresampled();
    }
    await hny.flush();

    expect(responses).toHaveLength(EVENTS);
    const failed = responses.filter((r) => r.status_code !== 202 || r.error);
    expect(failed.slice(0, 3).map((r) => ({ status: r.status_code, error: r.error?.message }))).toEqual([]);
    expect(new Set(responses.map((r) => r.metadata)).size).toBe(EVENTS);

    await server.stop('SIGTERM');
    server = undefined;
    const t = await startTestTend({ data: dataDir });
    try {
      // The dataset name's case came from the client; lookups ignore case.
      const rows = await storedEvents(t.tend, DATASET.toLowerCase());
      expect(rows).toHaveLength(EVENTS);
      const bySeq = new Map(rows.map((r) => [r.seq as number, r]));
      expect(bySeq.size).toBe(EVENTS);
      for (let i = 0; i < EVENTS; i++) {
        const e = eventFor(i, base);
        const row = bySeq.get(i)!;
        expect(row).toEqual({
          seq: i,
          endpoint: e.data.endpoint,
          customer_id: e.data.customer_id,
          status_code: e.data.status_code,
          duration_ms: e.data.duration_ms,
          cache_hit: e.data.cache_hit,
          'http.method': e.data.http.method,
          'http.route': e.data.http.route,
          __samplerate: e.sampleRate,
          __time_us: e.timestamp.getTime() * 1000,
          __time: expect.anything(),
        });
      }
    } finally {
      await t.close();
    }
  });
});
