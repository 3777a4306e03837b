// Load generation shared by the benchmarks: keep-alive HTTP posts and a fixed number of
// concurrent senders working through a list of request bodies.
import http from 'node:http';

export interface Answer {
  status: number;
  text: string;
}

/** POSTs bodies to one URL over at most `connections` keep-alive sockets. */
export function httpPoster(url: string, headers: Record<string, string>, connections: number): (body: Buffer) => Promise<Answer> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const u = new URL(url);
  return (body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', agent, headers: { ...headers, 'content-length': body.length } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c) => parts.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * Sends every body with `connections` concurrent senders. `send` answers 'retry' when the
 * server asked to back off (429, UNAVAILABLE): the body is sent again after a short pause and
 * only the successful try's latency counts.
 */
export async function sendAll(
  bodies: Buffer[],
  connections: number,
  send: (body: Buffer) => Promise<'done' | 'retry'>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (;;) {
        const t0 = performance.now();
        if ((await send(body)) === 'retry') {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        latencies.push(performance.now() - t0);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { seconds: (performance.now() - started) / 1000, latencies };
}
