// Signing in from tests the way a browser does: a cookie jar of one cookie, and the CSRF token
// sent back on changes.
import { loadConfig, type ConfigOverrides } from '../../src/config.js';
import { startTend, type Tend } from '../../src/server/index.js';
import { tempDataDir } from './tend.js';

export const OWNER = { email: 'Owner@Example.com', password: 'correct horse battery staple' };

/** Tend in this process with the first owner set through TEND_ADMIN_EMAIL / TEND_ADMIN_PASSWORD. */
export async function startWithOwner(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = {}): Promise<Tend> {
  const dataDir = overrides.data ?? tempDataDir('tend-people');
  return startTend(loadConfig({ port: 0, logLevel: 'error', ...overrides, data: dataDir }, {}), {
    TEND_ADMIN_EMAIL: OWNER.email,
    TEND_ADMIN_PASSWORD: OWNER.password,
    ...env,
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  environment: string | undefined;

  constructor(readonly url: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(this.url + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && !['GET', 'HEAD'].includes(method) ? { 'x-csrf-token': this.csrf } : {}),
        ...(this.environment ? { 'x-tend-environment': this.environment } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const value = /^tend_session=([^;]*)/.exec(setCookie)?.[1];
      this.cookie = value ? `tend_session=${value}` : undefined;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async login(email: string, password: string): Promise<Answer> {
    const a = await this.request('POST', '/api/v1/auth/login', { email, password });
    if (a.status === 200) this.csrf = a.body.csrf_token;
    return a;
  }
}
