// Reads a request body as its bytes arrive, for every route: the raw bytes and the decoded
// bytes are counted against the body limit as they come (a compressed body never gets to
// claim memory it has not earned), a body that arrives too slowly is cut off with 408, and
// the bytes of all bodies being received at once are bounded (past the bound, 429). Nothing
// here holds an ingest admission slot: those are taken once the body is complete
// (ingest/context.ts), so slow senders cannot starve the others.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { badRequest, HttpError, overloaded, requestTimeout } from './errors.js';
import { createBodyDecoder, decodeFailure, formatBytes, tooLargeBody } from './decode-body.js';

export interface BodyLimits {
  /** Largest body, before and after decompression (bytes). */
  maxBodyBytes: number;
  /** Bytes per second a body must keep arriving at once its grace period is over; 0: no minimum. */
  minBodyRate: number;
  /** Seconds a body may take before the rate applies; the rate is then measured over the last this many seconds. */
  bodyGraceSeconds: number;
}

/** Bytes of bodies being received, over all requests: what slow or many senders can make Tend hold. */
export class ReceiveBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  take(n: number): boolean {
    if (this.used + n > this.limitBytes) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }

  inUse(): number {
    return this.used;
  }
}

/** The rest of a refused body is never read: the answer closes the connection. */
function closing(err: Error): Error {
  if (!(err instanceof HttpError)) return err;
  return new HttpError(err.status, err.message, { ...err.headers, connection: 'close' });
}

export function readBody(source: Readable, headers: IncomingHttpHeaders, limits: BodyLimits, budget: ReceiveBudget): Promise<Buffer> {
  const max = limits.maxBodyBytes;
  const declared = Number(headers['content-length']);
  if (declared > max) return Promise.reject(closing(tooLargeBody(max, false)));
  const encoding = headers['content-encoding'];
  let decoder: ReturnType<typeof createBodyDecoder>;
  try {
    decoder = createBodyDecoder(encoding, max);
  } catch (err) {
    return Promise.reject(closing(err as Error));
  }

  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let held = 0;
    let received = 0;
    let settled = false;
    // received at each whole second since the body started; the last grace-period's worth is kept.
    const graceSeconds = Math.max(1, Math.round(limits.bodyGraceSeconds));
    const samples = [0];
    const timer = limits.minBodyRate > 0 ? setInterval(checkRate, 1000) : undefined;
    timer?.unref();

    function settle(err: Error | undefined): void {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      budget.give(held);
      source.off('data', onData);
      if (err) {
        source.pause();
        decoder?.destroy();
        reject(closing(err));
      } else {
        resolve(parts.length === 1 ? parts[0] : Buffer.concat(parts, held));
      }
    }

    function checkRate(): void {
      samples.push(received);
      if (samples.length <= graceSeconds) return;
      const recent = received - samples.shift()!;
      if (recent < limits.minBodyRate * graceSeconds) {
        settle(requestTimeout(
          `request body arrived at ${formatBytes(recent / graceSeconds)}/s over the last ${graceSeconds} s, slower than the minimum of ${formatBytes(limits.minBodyRate)}/s: ` +
            'send it faster or in smaller requests',
        ));
      }
    }

    function hold(chunk: Buffer): void {
      if (settled) return;
      if (held + chunk.length > max) return settle(tooLargeBody(max, decoder !== undefined));
      if (!budget.take(chunk.length)) return settle(overloaded('Tend is receiving too many request bodies at once: retry after a moment'));
      held += chunk.length;
      parts.push(chunk);
    }

    function onData(chunk: Buffer): void {
      received += chunk.length;
      if (received > max) return settle(tooLargeBody(max, false));
      if (!decoder) return hold(chunk);
      if (!decoder.write(chunk)) {
        source.pause();
        decoder.once('drain', () => settled || source.resume());
      }
    }

    let ended = false;
    source.on('data', onData);
    source.once('error', (err) => settle(err));
    // A request emits 'close' once its body is read too: only a close before the end is a failure.
    source.once('close', () => ended || settle(badRequest('the connection closed before the request body ended')));
    decoder?.on('data', hold);
    decoder?.once('error', (err) => settle(decodeFailure(err, encoding)));
    decoder?.once('end', () => settle(undefined));
    source.once('end', () => {
      ended = true;
      clearInterval(timer);
      if (decoder) decoder.end();
      else settle(undefined);
    });
  });
}
