// The http kind: one request on a fresh connection (so a broken listener or TLS setup shows up
// as it would for a new visitor), redirects followed by hand, assertions on status, latency,
// body and one JSON path, and the certificate's days left for https.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { HttpDefinition } from '../definition.js';
import { ms } from '../definition.js';
import { daysUntil, describeError, elapsedSince, type CheckResult } from './result.js';

const MAX_REDIRECTS = 10;
/** Bodies are read up to this size for assertions; the rest is discarded. */
const MAX_BODY_BYTES = 1024 * 1024;

interface Answer {
  status: number;
  location?: string;
  contentLength: number;
  body: string;
  certDaysLeft?: number;
}

export async function runHttp(check: HttpDefinition, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  let url = new URL(check.url);
  let method = check.method;
  let body = check.body;
  let certDaysLeft: number | undefined;
  try {
    const needsBody = check.expect.body_contains !== undefined || check.expect.body_matches !== undefined || check.expect.json_path !== undefined;
    let answer: Answer;
    for (let hops = 0; ; hops++) {
      answer = await request(check, url, method, body, needsBody, signal);
      certDaysLeft ??= answer.certDaysLeft;
      if (!check.follow_redirects || !answer.location || answer.status < 300 || answer.status > 399) break;
      if (hops >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      url = new URL(answer.location, url);
      if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
    const durationMs = elapsedSince(started);
    const error = assertAnswer(check, answer, durationMs, certDaysLeft);
    return { ok: error === undefined, durationMs, error, httpStatus: answer.status, certDaysLeft };
  } catch (err) {
    return { ok: false, durationMs: elapsedSince(started), error: signal.aborted ? `timeout after ${ms(check.timeout)} ms` : describeError(err), certDaysLeft };
  }
}

function assertAnswer(check: HttpDefinition, a: Answer, durationMs: number, certDaysLeft: number | undefined): string | undefined {
  const e = check.expect;
  const okStatus = e.status ? e.status.includes(a.status) : a.status >= 200 && a.status < 400;
  if (!okStatus) return `status ${a.status}, expected ${e.status ? e.status.join(' or ') : '2xx or 3xx'}`;
  if (e.max_latency_ms !== undefined && durationMs > e.max_latency_ms) return `took ${Math.round(durationMs)} ms, more than ${e.max_latency_ms} ms`;
  if (e.body_contains !== undefined && !a.body.includes(e.body_contains)) return `body does not contain "${e.body_contains}"`;
  if (e.body_matches !== undefined && !new RegExp(e.body_matches).test(a.body)) return `body does not match /${e.body_matches}/`;
  if (e.json_path) {
    let doc: unknown;
    try {
      doc = JSON.parse(a.body);
    } catch {
      return 'body is not JSON';
    }
    const found = readJsonPath(doc, e.json_path.path);
    if (JSON.stringify(found) !== JSON.stringify(e.json_path.equals)) {
      return `${e.json_path.path} is ${JSON.stringify(found) ?? 'missing'}, expected ${JSON.stringify(e.json_path.equals)}`;
    }
  }
  if (e.cert_days_left_min !== undefined && certDaysLeft !== undefined && certDaysLeft < e.cert_days_left_min) {
    return `certificate expires in ${certDaysLeft} days, fewer than ${e.cert_days_left_min}`;
  }
  return undefined;
}

/** Reads `a.b[0].c` (a leading `$.` is allowed) from a parsed JSON document. */
export function readJsonPath(doc: unknown, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+/g) ?? [];
  let cur: unknown = doc;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

function request(check: HttpDefinition, url: URL, method: string, body: string | undefined, needsBody: boolean, signal: AbortSignal): Promise<Answer> {
  const secure = url.protocol === 'https:';
  const lib = secure ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        headers: { 'user-agent': 'Tend-Checks/0.1', ...check.headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) },
        agent: false,
        signal,
        rejectUnauthorized: !check.insecure_skip_verify,
        ca: check.ca_file ? fs.readFileSync(check.ca_file) : undefined,
      },
      (res) => {
        let certDaysLeft: number | undefined;
        if (secure) {
          const cert = (res.socket as TLSSocket).getPeerCertificate?.();
          if (cert?.valid_to) certDaysLeft = daysUntil(cert.valid_to);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (needsBody && size < MAX_BODY_BYTES) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            contentLength: size,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
            certDaysLeft,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
