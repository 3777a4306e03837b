// Parses and checks the body of a Honeycomb batch (POST /1/batch/:dataset): a JSON array of
// {"data": {...}, "time"?, "samplerate"?} items, each normalized on its own. Runs on the main
// thread or in the ingest worker thread (src/ingest/worker), whichever holds the events.
import type { IngestLimits } from '../../config.js';
import { badRequest, parseJsonBody } from '../../http/index.js';
import type { StoredEvent } from '../../store/index.js';
import { normalizeEvent } from '../normalize.js';

export interface CheckedBatch {
  /** Items in the body. */
  total: number;
  good: StoredEvent[];
  /** good[k] is item goodAt[k] of the body. */
  goodAt: number[];
  /** Each refused item: its index in the body and why. */
  problems: [number, string][];
}

/** Throws a 400 when the body as a whole is not a batch. */
export function checkBatch(body: Buffer, receivedUs: number, limits: IngestLimits): CheckedBatch {
  const items = parseJsonBody(body);
  if (!Array.isArray(items)) throw badRequest('request body: expected a JSON array of {"data": {...}, "time"?, "samplerate"?} objects');
  const checked: CheckedBatch = { total: items.length, good: [], goodAt: [], problems: [] };
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as { data?: unknown; time?: unknown; samplerate?: unknown } | null;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      checked.problems.push([i, `event ${i}: expected an object with a "data" field`]);
      continue;
    }
    const r = normalizeEvent(item.data, item.time, item.samplerate, receivedUs, limits);
    if (r.ok) {
      checked.good.push(r.event);
      checked.goodAt.push(i);
    } else {
      checked.problems.push([i, r.problem]);
    }
  }
  return checked;
}
