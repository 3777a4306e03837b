// Every request body arrives as bytes, is decompressed here (gzip, deflate, zstd) with a cap
// on the decoded size, and is handed to the route as a Buffer. Routes decide how to read it:
// JSON for the Honeycomb API (whatever the Content-Type, as Honeycomb's curl examples send
// form-encoded JSON), protobuf or JSON for OTLP.
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { Decompress } from 'fzstd';
import { badRequest, tooLarge, unsupportedMedia } from './errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}

export async function decodeBody(raw: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  const limit = `request body is larger than ${formatBytes(maxBytes)} once decompressed`;
  try {
    switch (enc) {
      case '':
      case 'identity':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return await gunzip(raw, { maxOutputLength: maxBytes });
      case 'deflate':
        // HTTP "deflate" is zlib-wrapped, but some clients send raw deflate; accept both.
        return await inflate(raw, { maxOutputLength: maxBytes }).catch((err) => {
          if (isTooLarge(err)) throw err;
          return inflateRaw(raw, { maxOutputLength: maxBytes });
        });
      case 'zstd':
        return unzstd(raw, maxBytes, limit);
      default:
        throw unsupportedMedia(`Content-Encoding "${encoding}" is not supported: use gzip, deflate, zstd or none`);
    }
  } catch (err) {
    if (isTooLarge(err)) throw tooLarge(limit);
    if (err instanceof Error && 'status' in err) throw err;
    throw badRequest(`Content-Encoding ${enc}: body could not be decompressed (${(err as Error).message})`);
  }
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string })?.code === 'ERR_BUFFER_TOO_LARGE';
}

function unzstd(raw: Buffer, maxBytes: number, limit: string): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge(limit);
    parts.push(chunk);
  });
  stream.push(raw, true);
  return Buffer.concat(parts);
}

/** Parses a JSON body, naming the problem and where it is when the text is not JSON. */
export function parseJsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) throw badRequest('request body is empty: send a JSON document');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`request body is not valid JSON: ${(err as Error).message}`);
  }
}
