// Stopping Tend while a keep-alive client is mid-request: the request is answered, and close()
// returns soon after, instead of waiting out the 65 s keep-alive timeout for that connection to
// go (fastify closes only the connections idle when it starts closing; one that turns idle
// later held app.close() open: the hang test/ui-browser.test.ts once saw at shutdown).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestTend } from './support/tend.js';

describe('close() with a keep-alive request in flight', () => {
  it('answers the request, then closes without waiting for the keep-alive timeout', async () => {
    const t = await startTestTend();
    const key = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'keys.json'), 'utf8')).ingest_key;
    const agent = new http.Agent({ keepAlive: true });
    const body = JSON.stringify([{ data: { route: '/slow-body', status: 200 } }]);
    const url = new URL(`${t.url}/1/batch/app`);
    // The body arrives in two parts: the request is in flight while close() starts.
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-honeycomb-team': key } });
    const answer = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const closed = t.close().then(() => Date.now() - started);
    await new Promise((r) => setTimeout(r, 300));
    req.end(body.slice(10));
    expect(await answer).toBe(200);
    const ms = await closed;
    agent.destroy();
    // Far below the 65 s keep-alive timeout (the exact time is the machine's).
    expect(ms).toBeLessThan(20_000);
  }, 90_000);
});
