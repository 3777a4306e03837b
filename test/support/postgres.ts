// A real PostgreSQL 15 for the tests: a throw-away cluster made with Debian's initdb and started
// with pg_ctl in a temp folder, on a free loopback port (scripts/ensure-test-tools.sh installs
// postgresql-15 when missing). PostgreSQL refuses to run as root, so as root (CI) the cluster
// belongs to the `postgres` user the package creates.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.TEND_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const USER = 'tend';

export interface PgCluster {
  port: number;
  /** A URL for database `name`; Tend creates the database on first use. */
  url(name: string): string;
  /** Stops the server at once (as a crash would) and removes its folder. */
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
    fs.chownSync(dir, await id('-u'), await id('-g'));
  }
  // As root, each tool runs as the postgres user; otherwise as ourselves.
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, name), ...args]) : run(path.join(BIN, name), args);
  const data = path.join(dir, 'data');
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  // Durability settings off: a test cluster is thrown away, and fsync would only slow the tests.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await tool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  return {
    port,
    url: (name) => `postgres://${USER}@127.0.0.1:${port}/${name}`,
    async stop() {
      await tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
