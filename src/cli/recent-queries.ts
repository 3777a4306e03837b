// `tend recent-queries`: the queries the person signed in with `tend login` ran lately in the web
// app (kept on the server per person and environment), newest first; --json prints the API's
// answer. Keys have none: recent queries belong to people.
import type { Command } from 'commander';
import { callAsUser, loadSession } from './session.js';
import { formatTable } from './table.js';

interface Recent {
  recent: { dataset: string; spec: unknown; at: string }[];
}

export function registerRecentQueries(program: Command): void {
  program
    .command('recent-queries')
    .description('Your recent queries in the web app (sign in with `tend login` first)')
    .option('--env <environment>', 'the environment (default: your first)')
    .option('--json', "print the server's JSON answer")
    .action(async (opts: { env?: string; json?: boolean }) => {
      const s = loadSession();
      if (!s) throw new Error('recent queries belong to a person: sign in with `tend login --email <you>` first');
      const answer = await callAsUser<Recent>(s, 'GET', '/api/v1/ui/recent-queries', undefined, opts.env);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      process.stdout.write(`${formatTable(['AT', 'DATASET', 'QUERY'], answer.recent.map((q) => [q.at, q.dataset, JSON.stringify(q.spec)]))}\n`);
    });
}
