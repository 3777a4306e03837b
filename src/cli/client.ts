// What CLI commands that talk to a running server share: where it is and which key to use.
import path from 'node:path';
import fs from 'node:fs';
import { KEYS_FILE, SERVER_FILE } from '../data-files.js';

export interface ClientOptions {
  url?: string;
  key?: string;
  data?: string;
}

/** The URL the server running on `dataDir` wrote at start, if any. */
export function runningServerUrl(dataDir: string): string | undefined {
  try {
    const url = JSON.parse(fs.readFileSync(path.join(dataDir, SERVER_FILE), 'utf8')).url;
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

function dataDirOf(opts: ClientOptions): string {
  return path.resolve(opts.data ?? process.env.TEND_DATA ?? './tend-data');
}

/** --url, then TEND_URL, then the server.json of the data folder, then the default port. */
export function serverUrl(opts: ClientOptions): string {
  const url = opts.url ?? process.env.TEND_URL ?? runningServerUrl(dataDirOf(opts)) ?? `http://127.0.0.1:${process.env.TEND_PORT ?? 4318}`;
  return url.replace(/\/$/, '');
}

/** --key, then TEND_KEY, then the given environment variable, then keys.json in the data folder. */
export function resolveKey(opts: ClientOptions, kind: 'ingest' | 'admin'): string {
  const envName = kind === 'ingest' ? 'TEND_INGEST_KEY' : 'TEND_ADMIN_KEY';
  const fromEnv = opts.key ?? process.env.TEND_KEY ?? process.env[envName];
  if (fromEnv) return fromEnv;
  const file = path.join(dataDirOf(opts), KEYS_FILE);
  try {
    const keys = JSON.parse(fs.readFileSync(file, 'utf8'));
    const key = kind === 'ingest' ? keys.ingest_key : keys.admin_key;
    if (typeof key === 'string') return key;
  } catch {
    // fall through to the error below
  }
  throw new Error(`no ${kind} key: pass --key, set TEND_KEY or ${envName}, or run where ${file} exists`);
}

/** Sends a request and returns the parsed JSON answer, throwing the server's error text. */
export async function callApi<T>(opts: ClientOptions, kind: 'ingest' | 'admin', method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${serverUrl(opts)}${route}`, {
    method,
    headers: { 'x-honeycomb-team': resolveKey(opts, kind), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${parsed?.error ?? text}`);
  return parsed as T;
}

export const clientOptions = (cmd: import('commander').Command) =>
  cmd
    .option('--url <url>', 'Tend server URL (env TEND_URL)', undefined)
    .option('--key <key>', 'API key (env TEND_KEY)')
    .option('--data <dir>', 'data folder holding keys.json (env TEND_DATA)');
