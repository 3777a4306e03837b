// Starts Debian's ClickHouse (18.16, or newer if present) in a temp folder on free ports, for
// benchmarks that compare Tend with ClickHouse on the same events, and as a cluster of shards
// on loopback (startClickHouseCluster). Returns undefined when clickhouse-server is not installed
// and cannot be installed (apt-get, as root).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SERVER_BINARIES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse'];

export interface ClickHouse {
  url: string;
  pid: number;
  /** Runs a statement over HTTP; returns the response text. */
  query(sql: string, body?: string | Buffer): Promise<string>;
  stop(): Promise<void>;
}

function findBinary(): string | undefined {
  return SERVER_BINARIES.find((b) => fs.existsSync(b));
}

function installIfMissing(): string | undefined {
  if (findBinary() || process.env.BENCH_NO_INSTALL) return findBinary();
  try {
    console.log('installing clickhouse-server from Debian (set BENCH_NO_INSTALL=1 to skip)...');
    execFileSync('apt-get', ['install', '-y', '-q', 'clickhouse-server'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    return undefined;
  }
  return findBinary();
}

/** A port free on `host` (0: any), or undefined when `port` is taken there. */
async function freePort(host = '127.0.0.1', port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(port, host, () => {
      const got = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(got));
    });
    s.on('error', () => resolve(undefined));
  });
}

/** Where one server listens, and the <remote_servers> it knows, if any. */
interface ServerPlace {
  host: string;
  httpPort: number;
  tcpPort: number;
  remoteServers?: string;
}

export async function startClickHouse(): Promise<ClickHouse | undefined> {
  return startServer({ host: '127.0.0.1', httpPort: (await freePort())!, tcpPort: (await freePort())! });
}

export interface ClickHouseCluster {
  /** The cluster's name in <remote_servers>. */
  name: string;
  /** One server per shard, in shard order. */
  shards: ClickHouse[];
  stop(): Promise<void>;
}

/**
 * `count` servers, one per shard of the cluster `tend` that every one of them defines alike, on
 * the loopback addresses 127.0.0.1, 127.0.0.2, ... and one HTTP port, as Tend expects (it reaches
 * each shard at the host in system.clusters and the port of its URL). TCP ports differ: a server
 * takes any shard at a local address and its own TCP port for itself (measured on 18.16).
 */
export async function startClickHouseCluster(count = 2): Promise<ClickHouseCluster | undefined> {
  const hosts = Array.from({ length: count }, (_, i) => `127.0.0.${i + 1}`);
  let httpPort: number | undefined;
  while (httpPort === undefined) {
    const candidate = (await freePort())!;
    const free = await Promise.all(hosts.map((h) => freePort(h, candidate)));
    if (free.every((p) => p === candidate)) httpPort = candidate;
  }
  const tcpPorts: number[] = [];
  for (const h of hosts) tcpPorts.push((await freePort(h))!);
  const shardsXml = hosts.map((h, i) => `<shard><replica><host>${h}</host><port>${tcpPorts[i]}</port></replica></shard>`).join('');
  // `replicated`, the same servers as replicas of one shard, is a layout Tend refuses (tables.ts).
  const replicas = hosts.map((h, i) => `<replica><host>${h}</host><port>${tcpPorts[i]}</port></replica>`).join('');
  const remoteServers = `<remote_servers><tend>${shardsXml}</tend><replicated><shard>${replicas}</shard></replicated></remote_servers>`;
  const started: ClickHouse[] = [];
  try {
    for (const [i, host] of hosts.entries()) {
      const server = await startServer({ host, httpPort, tcpPort: tcpPorts[i], remoteServers });
      if (!server) return undefined;
      started.push(server);
    }
  } catch (err) {
    for (const s of started) await s.stop();
    throw err;
  }
  return {
    name: 'tend',
    shards: started,
    async stop() {
      for (const s of started) await s.stop();
    },
  };
}

async function startServer({ host, httpPort, tcpPort, remoteServers = '' }: ServerPlace): Promise<ClickHouse | undefined> {
  const binary = installIfMissing();
  if (!binary) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-ch-'));
  fs.writeFileSync(
    path.join(dir, 'config.xml'),
    `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog></logger>
  <http_port>${httpPort}</http_port><tcp_port>${tcpPort}</tcp_port><listen_host>${host}</listen_host>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path><format_schema_path>${dir}/schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>1073741824</mark_cache_size>${remoteServers}
</yandex>\n`,
  );
  fs.writeFileSync(
    path.join(dir, 'users.xml'),
    `<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.0/8</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>\n`,
  );
  const child: ChildProcess = spawn(binary, binary.endsWith('clickhouse') ? ['server', '--config-file', `${dir}/config.xml`] : ['--config-file', `${dir}/config.xml`], {
    stdio: 'ignore',
    cwd: dir,
  });
  const url = `http://${host}:${httpPort}`;
  const query = async (sql: string, body?: string | Buffer) => {
    const res = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: 'POST', body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`ClickHouse: ${text.slice(0, 500)}`);
    return text;
  };
  for (let i = 0; i < 100; i++) {
    try {
      await query('SELECT 1');
      break;
    } catch {
      if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}; see ${dir}/error.log`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await query('SELECT 1');
  return {
    url,
    pid: child.pid!,
    query,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Version text, e.g. "18.16.1". */
export async function clickHouseVersion(ch: ClickHouse): Promise<string> {
  return (await ch.query('SELECT version()')).trim();
}
