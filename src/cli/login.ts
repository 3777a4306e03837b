// `tend login` and `tend logout`: sign in to a running server as a person. The session is kept
// in the configuration folder (see session.ts) for commands such as `tend users`.
import type { Command } from 'commander';
import { serverUrl } from './client.js';
import { forgetSession, loadSession, readPasswordFromStdin, saveSession, sessionFile } from './session.js';

interface LoginOptions {
  url?: string;
  data?: string;
  email: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('Sign in to a running Tend server; the session is kept in ~/.config/tend (TEND_CONFIG_DIR)')
    .requiredOption('--email <email>', 'your email')
    .option('--password-stdin', 'read the password from the first line of stdin (else TEND_PASSWORD)')
    .option('--url <url>', 'Tend server URL (env TEND_URL; default: the server holding --data)')
    .option('--data <dir>', 'data folder of a local server (env TEND_DATA)')
    .option('--json', 'print the answer as JSON')
    .action(async (opts: LoginOptions) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : process.env.TEND_PASSWORD;
      if (!password) throw new Error('no password: pass --password-stdin and pipe it in, or set TEND_PASSWORD');
      const url = serverUrl(opts);
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: opts.email, password }),
      });
      const body = (await res.json()) as { error?: string; user: { email: string; roles: Record<string, string> }; csrf_token: string };
      if (!res.ok) throw new Error(`sign-in refused: ${res.status} ${body.error ?? ''}`);
      const token = /tend_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      if (!token) throw new Error('the server answered without a session cookie');
      saveSession({ url, email: body.user.email, token, csrf: body.csrf_token });
      if (opts.json) process.stdout.write(JSON.stringify({ url, user: body.user }) + '\n');
      else {
        const roles = Object.entries(body.user.roles).map(([env, role]) => `${role} in ${env}`).join(', ') || 'no roles yet';
        process.stdout.write(`signed in to ${url} as ${body.user.email} (${roles}); session kept in ${sessionFile()}\n`);
      }
    });

  program
    .command('logout')
    .description('End the session `tend login` started')
    .action(async () => {
      const s = loadSession();
      if (!s) {
        process.stdout.write('not signed in\n');
        return;
      }
      await fetch(`${s.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: `tend_session=${s.token}`, 'x-csrf-token': s.csrf } }).catch(() => undefined);
      forgetSession();
      process.stdout.write(`signed out of ${s.url}\n`);
    });
}
