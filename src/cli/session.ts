// The CLI's own sign-in: `tend login` keeps a session (the server's URL, the session token and
// its CSRF token) in the user's configuration folder, mode 0600, never in the data folder.
// Commands that act as a person (`tend users`) send it like a browser: cookie plus X-CSRF-Token.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SavedSession {
  url: string;
  email: string;
  token: string;
  csrf: string;
}

/** TEND_CONFIG_DIR, else $XDG_CONFIG_HOME/tend, else ~/.config/tend. */
export function configDir(): string {
  if (process.env.TEND_CONFIG_DIR) return path.resolve(process.env.TEND_CONFIG_DIR);
  return path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'tend');
}

export const sessionFile = () => path.join(configDir(), 'session.json');

export function loadSession(): SavedSession | undefined {
  try {
    return JSON.parse(fs.readFileSync(sessionFile(), 'utf8')) as SavedSession;
  } catch {
    return undefined;
  }
}

export function saveSession(s: SavedSession): void {
  fs.mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  fs.writeFileSync(sessionFile(), JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(sessionFile(), 0o600);
}

export function forgetSession(): void {
  fs.rmSync(sessionFile(), { force: true });
}

/** Calls the server as the signed-in person; throws the server's error text. */
export async function callAsUser<T>(s: SavedSession, method: string, route: string, body?: unknown, env?: string): Promise<T> {
  const res = await fetch(`${s.url}${route}`, {
    method,
    headers: {
      cookie: `tend_session=${s.token}`,
      'x-csrf-token': s.csrf,
      ...(env ? { 'x-tend-environment': env } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (res.status === 401) throw new Error(`${method} ${route}: ${parsed?.error ?? text}; run \`tend login\` again`);
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${parsed?.error ?? text}`);
  return parsed as T;
}

/** A password from the first line of stdin (--password-stdin), so it never shows in `ps` or shell history. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  if (!line) throw new Error('--password-stdin: stdin is empty');
  return line;
}
