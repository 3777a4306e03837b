// What each ingest path costs the server's main thread per span before the store, measured in
// this process as CPU time (not wall time, which other work on the machine stretches) on the
// spans bench:otlp sends. Side by side:
//   honeycomb:     JSON.parse of the /1/batch bodies + normalizeEvent per event (routes.ts);
//   otlpReference: protobufjs decoding + mapTraces (with normalizeEvent) — the path before trace-wire.ts,
//                  still taken for requests the wire reader declines;
//   otlpWire:      readTraceRequest (trace-wire.ts), bytes straight to events;
//   workerClone:   what handing the wire reader's events from a worker thread back to the main
//                  thread would cost there (v8.deserialize of the serialized events; the worker pays
//                  the reader and v8.serialize): the design that moves decoding off the main thread.
import v8 from 'node:v8';
import { defaultIngestLimits } from '../src/config.js';
import { normalizeEvent } from '../src/ingest/index.js';
import { decodeRequest } from '../src/ingest/otlp/codec.js';
import { mapTraces } from '../src/ingest/otlp/map-traces.js';
import { MappedRequest } from '../src/ingest/otlp/mapped.js';
import { readTraceRequest } from '../src/ingest/otlp/trace-wire.js';
import { batches, honeycombBatch, protobufBatch } from './otlp-spans.js';

export interface PathCosts {
  honeycomb: number;
  otlpReference: number;
  otlpWire: number;
  workerClone: number;
}

/** CPU µs per span of each path, the best of `rounds` rounds over `spans` spans. */
export function pathCosts(spans = 51_200, rounds = 5): PathCosts {
  const firstMs = Date.now() - 3_600_000;
  const protobuf = batches(0, spans, firstMs, 10, protobufBatch);
  const honeycomb = batches(0, spans, firstMs, 10, honeycombBatch);
  const now = Date.now() * 1000;
  const cpu = (f: () => void) => {
    const c = process.cpuUsage();
    f();
    const d = process.cpuUsage(c);
    return (d.user + d.system) / spans;
  };
  const wire = () => protobuf.map((b) => {
    const req = new MappedRequest(defaultIngestLimits, now);
    if (!readTraceRequest(b, req)) throw new Error('the wire reader declined a benchmark request');
    return [...req.byDataset.values()];
  });
  const serialized = wire().map((events) => v8.serialize(events));
  const best: PathCosts = { honeycomb: Infinity, otlpReference: Infinity, otlpWire: Infinity, workerClone: Infinity };
  for (let r = 0; r < rounds; r++) {
    const round: PathCosts = {
      honeycomb: cpu(() => {
        for (const body of honeycomb) {
          for (const item of JSON.parse(body.toString('utf8')) as { data: unknown; time: unknown }[]) normalizeEvent(item.data, item.time, undefined, now, defaultIngestLimits);
        }
      }),
      otlpReference: cpu(() => {
        for (const body of protobuf) mapTraces(decodeRequest('traces', body), new MappedRequest(defaultIngestLimits, now));
      }),
      otlpWire: cpu(wire),
      workerClone: cpu(() => serialized.forEach((s) => v8.deserialize(s))),
    };
    for (const k of Object.keys(best) as (keyof PathCosts)[]) best[k] = Math.min(best[k], round[k]);
  }
  return best;
}
