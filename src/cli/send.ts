// `tend send DATASET [FILE|-]`: send NDJSON or a JSON array through the batch API, with a
// progress bar and a final count. A line (or array element) that is an object with a "data"
// object is sent as a batch item (with its "time" and "samplerate"); anything else is the
// event's data itself.
import fs from 'node:fs';
import readline from 'node:readline';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { clientOptions, resolveKey, serverUrl, type ClientOptions } from './client.js';

const BATCH_EVENTS = 1000;
const IN_FLIGHT = 4;
const MAX_RETRIES = 20;

interface BatchItem {
  data: unknown;
  time?: unknown;
  samplerate?: unknown;
}

export interface SendTotals {
  accepted: number;
  rejected: number;
  errors: string[];
}

function toItem(value: unknown): BatchItem {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (v.data && typeof v.data === 'object' && keys.every((k) => k === 'data' || k === 'time' || k === 'samplerate')) return v as unknown as BatchItem;
  }
  return { data: value };
}

/** A batch item and where it came from ("line 3", "element 3"), for error messages. */
interface SourcedItem {
  item: BatchItem;
  where: string;
}

/** Yields batch items from NDJSON or a JSON array; a line that is not JSON becomes an error. */
async function* readItems(input: NodeJS.ReadableStream, onBadLine: (msg: string) => void): AsyncGenerator<SourcedItem> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let first = true;
  let arrayText: string[] | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (first && line.trimStart().startsWith('[')) arrayText = [];
    first = first && line.trim() === '';
    if (arrayText) {
      arrayText.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      onBadLine(`line ${lineNo}: not JSON (${(err as Error).message})`);
      continue;
    }
    yield { item: toItem(parsed), where: `line ${lineNo}` };
  }
  if (arrayText) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(arrayText.join('\n'));
    } catch (err) {
      throw new Error(`input starts with "[" but is not a JSON array: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new Error('input starts with "[" but is not a JSON array');
    for (let i = 0; i < parsed.length; i++) yield { item: toItem(parsed[i]), where: `element ${i + 1}` };
  }
}

async function postBatch(url: string, key: string, items: BatchItem[]): Promise<{ status: number; error?: string }[]> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: JSON.stringify(items) });
    if (res.status === 429 && attempt < MAX_RETRIES) {
      const wait = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.max(0.1, wait) * 1000));
      continue;
    }
    const body = await res.json().catch(() => undefined);
    if (!res.ok) throw new Error(`${res.status} ${(body as { error?: string })?.error ?? res.statusText}`);
    return body as { status: number; error?: string }[];
  }
}

export async function sendEvents(
  dataset: string,
  input: NodeJS.ReadableStream,
  opts: ClientOptions,
  onProgress: (totals: SendTotals) => void = () => undefined,
): Promise<SendTotals> {
  const url = `${serverUrl(opts)}/1/batch/${encodeURIComponent(dataset)}`;
  const key = resolveKey(opts, 'ingest');
  const totals: SendTotals = { accepted: 0, rejected: 0, errors: [] };
  const noteError = (msg: string) => {
    totals.rejected++;
    if (totals.errors.length < 10) totals.errors.push(msg);
  };
  const inFlight = new Set<Promise<void>>();
  // A refused request (bad key, unknown server) ends the send at the next batch, with its message.
  let failure: unknown;
  const flush = async (sourced: SourcedItem[]) => {
    if (failure) throw failure;
    const p = postBatch(url, key, sourced.map((s) => s.item)).then((statuses) => {
      statuses.forEach((s, i) => (s.status === 202 ? totals.accepted++ : noteError(`${sourced[i].where}: ${s.error ?? s.status}`)));
      onProgress(totals);
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    tracked.catch((err) => (failure ??= err));
    inFlight.add(tracked);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  let batch: SourcedItem[] = [];
  for await (const sourced of readItems(input, noteError)) {
    batch.push(sourced);
    if (batch.length >= BATCH_EVENTS) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length) await flush(batch);
  await Promise.all(inFlight);
  return totals;
}

export function registerSend(program: Command): void {
  clientOptions(
    program
      .command('send <dataset> [file]')
      .description('Send NDJSON or a JSON array of events (from FILE, or - / nothing for stdin) through the batch API'),
  ).action(async (dataset: string, file: string | undefined, opts: ClientOptions) => {
    const input = !file || file === '-' ? process.stdin : fs.createReadStream(file);
    const started = Date.now();
    const bar = new cliProgress.SingleBar(
      { format: 'sending {dataset} | {done} events | {rate} events/s | {rejected} rejected', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { dataset, done: 0, rate: 0, rejected: 0 });
    const totals = await sendEvents(dataset, input, opts, (t) => {
      const done = t.accepted + t.rejected;
      bar.update(0, { dataset, done, rejected: t.rejected, rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
    });
    bar.stop();
    const secs = (Date.now() - started) / 1000;
    process.stdout.write(`accepted ${totals.accepted}, rejected ${totals.rejected} in ${secs.toFixed(1)} s\n`);
    for (const e of totals.errors) process.stdout.write(`  ${e}\n`);
    if (totals.rejected > 0) process.exitCode = 2;
  });
}
