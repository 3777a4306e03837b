// Issue 18 item 3: slow request bodies do not block ingest. With the default settings
// (--min-body-rate 10 KB/s after --body-grace 10 s), 200 sockets that announce a 100 KB batch
// and send it at one byte per second stay open for 20 s while normal batches keep coming: at
// most 5% of those may be refused, every slow socket must be cut off (408, or closed) by the
// server, and a 4.7 MB batch sent at 200 KB/s the whole time must be accepted. `tend serve`
// runs as a child process with its defaults. Needs `npm run build` first.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, spawnTend, tempDataDir, type ChildTend } from './support/tend.js';

const SLOW_SOCKETS = 200;
const WINDOW_MS = 20_000;
const SLOW_LENGTH = 100_000;
const BIG_RATE = 200 * 1024; // bytes per second
const BIG_TARGET = 4.7 * 1024 * 1024;

let server: ChildTend | undefined;
const sockets: net.Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await server?.stop('SIGKILL');
});

interface SlowSocket {
  openedAt: number;
  cutAt?: number;
  answer: string;
}

/** A socket that announces a `SLOW_LENGTH` batch and sends one byte a second until the server cuts it. */
function slowSender(port: number, key: string): SlowSocket {
  const state: SlowSocket = { openedAt: performance.now(), answer: '' };
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('connect', () => {
    socket.write(`POST /1/batch/slow HTTP/1.1\r\nHost: x\r\nX-Honeycomb-Team: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${SLOW_LENGTH}\r\n\r\n[`);
  });
  const drip = setInterval(() => socket.writable && socket.write(' '), 1000);
  socket.on('data', (d) => (state.answer += d.toString()));
  socket.on('error', () => {}); // the server may reset a socket it has cut off
  socket.on('close', () => {
    clearInterval(drip);
    state.cutAt ??= performance.now();
  });
  return state;
}

/** About 4.7 MB of batch: events of ~300 bytes. */
function bigBatch(): Buffer {
  const items: string[] = [];
  let size = 2;
  for (let i = 0; size < BIG_TARGET - 400; i++) {
    const item = `{"data":{"seq":${i},"endpoint":"/api/v1/items/${i % 97}","status_code":200,"duration_ms":${(i % 1000) / 7},"payload":"${'y'.repeat(200)}"}}`;
    items.push(item);
    size += item.length + 1;
  }
  return Buffer.from(`[${items.join(',')}]`);
}

/** Sends `body` over a raw socket at `rate` bytes per second; resolves with the status and response body. */
function sendAtRate(port: number, key: string, body: Buffer, rate: number): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    let at = 0;
    const piece = rate / 10;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(`POST /1/batch/big HTTP/1.1\r\nHost: x\r\nX-Honeycomb-Team: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      timer = setInterval(() => {
        socket.write(body.subarray(at, at + piece));
        at += piece;
        if (at >= body.length) clearInterval(timer);
      }, 100);
    });
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      clearInterval(timer);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0);
      resolve({ status, body: answer.slice(answer.indexOf('\r\n\r\n') + 4), ms: performance.now() - started });
    });
  });
}

describe('slow request bodies', () => {
  it('are cut off while normal batches keep being accepted, and a 4.7 MB batch at 200 KB/s passes', { timeout: 120_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    server = await spawnTend(tempDataDir('tend-slow'), 0);
    const { url, ingestKey } = server;
    const port = Number(new URL(url).port);
    const post = (body: string) =>
      fetch(`${url}/1/batch/normal`, { method: 'POST', headers: { 'x-honeycomb-team': ingestKey, 'content-type': 'application/json' }, body });
    expect((await post('[{"data":{"warm":true}}]')).status).toBe(200);

    const big = bigBatch();
    expect(big.length).toBeGreaterThan(4.6 * 1024 * 1024);
    expect(big.length).toBeLessThan(5 * 1024 * 1024);
    const bigAnswer = sendAtRate(port, ingestKey, big, BIG_RATE);

    const slow = Array.from({ length: SLOW_SOCKETS }, () => slowSender(port, ingestKey));
    const started = performance.now();
    const statuses = new Map<number, number>();
    const normal = Array.from({ length: 4 }, async (_, c) => {
      let seq = 0;
      while (performance.now() - started < WINDOW_MS) {
        const events = Array.from({ length: 100 }, () => ({ data: { client: c, seq: seq++ } }));
        const res = await post(JSON.stringify(events)).catch(() => undefined);
        await res?.arrayBuffer();
        statuses.set(res?.status ?? 0, (statuses.get(res?.status ?? 0) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    await Promise.all(normal);

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const refused = total - (statuses.get(200) ?? 0);
    expect(total).toBeGreaterThan(100);
    expect(refused / total, JSON.stringify(Object.fromEntries(statuses))).toBeLessThanOrEqual(0.05);

    // Every slow socket was cut by the server within the 20 s (the default rule cuts at ~10 s).
    const open = slow.filter((s) => s.cutAt === undefined);
    expect(open.length, 'slow sockets still open after 20 s').toBe(0);
    const cutAfter = slow.map((s) => (s.cutAt! - s.openedAt) / 1000).sort((a, b) => a - b);
    expect(cutAfter[0]).toBeGreaterThan(9); // not before the grace period
    const answered = slow.filter((s) => s.answer.startsWith('HTTP/1.1 408'));
    expect(answered.length, slow.map((s) => s.answer.split('\r\n')[0]).join(' | ')).toBeGreaterThan(SLOW_SOCKETS * 0.9);
    expect(answered[0].answer).toMatch(/slower than the minimum of 10 KB\/s/);

    const bigResult = await bigAnswer;
    expect(bigResult.status, bigResult.body.slice(0, 300)).toBe(200);
    const perEvent = JSON.parse(bigResult.body) as { status: number }[];
    expect(perEvent.length).toBeGreaterThan(15_000);
    expect(perEvent.every((e) => e.status === 202)).toBe(true);
    expect(bigResult.ms).toBeGreaterThan(20_000); // it really was sent at 200 KB/s
    console.info(
      `slow bodies: ${total} normal batches, ${refused} refused; slow sockets cut after ${cutAfter[0].toFixed(1)}-${cutAfter.at(-1)!.toFixed(1)} s, ` +
        `${answered.length} with 408; 4.7 MB batch at 200 KB/s accepted in ${(bigResult.ms / 1000).toFixed(1)} s`,
    );
  });
});
