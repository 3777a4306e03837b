// `tend serve`: start Tend on one port with one data folder.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { startTend, type Tend } from '../server/index.js';
import { SERVER_FILE } from '../data-files.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start Tend: HTTP API, Honeycomb and OpenTelemetry ingest, on one port')
    .option('--port <port>', 'port to listen on (env TEND_PORT)', undefined)
    .option('--grpc-port <port>', 'OTLP/gRPC port, default 4317; off to turn gRPC off (env TEND_GRPC_PORT)')
    .option('--host <host>', 'address to listen on; 0.0.0.0 for every interface (env TEND_HOST)')
    .option('--data <dir>', 'data folder (env TEND_DATA)')
    .option('--events <url>', 'keep events in ClickHouse, shared by several nodes: clickhouse://user:password@host:8123/tend (env TEND_EVENTS)')
    .option('--meta <url>', 'keep metadata in PostgreSQL, shared by several nodes: postgres://user:password@host:5432/tend (env TEND_META)')
    .option('--retention-days <days>', "default days of events to keep, 0 for ever; over tend.yaml's retention.default (env TEND_RETENTION_DAYS, default 60)")
    .option('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent (env TEND_LOG_LEVEL)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB; default 40% of RAM (env TEND_MEMORY_LIMIT)')
    .option('--max-queued-events <n>', 'events waiting for commit before 429 (env TEND_MAX_QUEUED_EVENTS)')
    .option('--min-body-rate <size>', 'bytes per second a request body must keep arriving at after its grace period, e.g. 10KB; 0 for no minimum (env TEND_MIN_BODY_RATE, default 10KB)')
    .option('--body-grace <seconds>', 'seconds before --min-body-rate applies, and the span it is measured over (env TEND_BODY_GRACE, default 10)')
    .option('--min-free-disk <size>', "event writes get 507 (and /readyz 503) while the data folder's disk has less free space than this: bytes such as 2GB, or a percentage such as 5% (env TEND_MIN_FREE_DISK, default the smaller of 5% and 2GB)")
    .option('--max-columns-per-dataset <n>', 'user columns one dataset may have; events that would add more are refused (env TEND_MAX_COLUMNS_PER_DATASET, default 10000)')
    .option('--config <file>', 'checks and status pages as code (env TEND_CONFIG; default ./tend.yaml when present)')
    .option('--check-concurrency <n>', 'checks running at once (env TEND_CHECK_CONCURRENCY, default 100)')
    .option('--checkpoint-after-writes <seconds>', 'fold the write-ahead log into the database after this much append time, 0 for never (env TEND_CHECKPOINT_AFTER_WRITES, default 6)')
    .option('--checkpoint-wal-mb <n>', 'and when the log reaches this many MiB, 0 for never (env TEND_CHECKPOINT_WAL_MB, default 32)')
    .option('--checkpoint-interval <seconds>', 'and this often while the log holds 1 MiB or more, 0 for never (env TEND_CHECKPOINT_INTERVAL, default 60)')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and OTLP/gRPC over TLS (env TEND_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert (env TEND_TLS_KEY)')
    .option('--trust-proxy', 'believe X-Forwarded-For/-Proto from a proxy in front (env TEND_TRUST_PROXY)')
    .option('--cors-origin <origins>', 'comma-separated origins whose pages may call the API with keys (env TEND_CORS_ORIGINS)')
    .option('--session-idle <duration>', 'sign-in sessions end after this long unused, e.g. 12h (env TEND_SESSION_IDLE)')
    .option('--session-max-age <duration>', 'and this long after sign-in, e.g. 7d (env TEND_SESSION_MAX_AGE)')
    .action(async (flags) => {
      const config = loadConfig(flags);
      // CLI commands that find the folder locked by this server ask it at this address.
      const serverFile = path.join(config.dataDir, SERVER_FILE);
      // Handlers go in before the start: /healthz answers while the last parts still start, and
      // a SIGTERM then (a service manager, a deploy) must stop cleanly, not kill the process.
      const signals = stopOnSignals(serverFile);
      const tend = await startTend(config).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') throw err;
        throw new Error(`port ${config.port} on ${config.host} is already in use: stop what holds it or pass --port`);
      });
      fs.writeFileSync(serverFile, JSON.stringify({ url: tend.url, pid: process.pid }) + '\n');
      process.stdout.write(banner(tend));
      signals.serving(tend);
    });
}

/** A clean stop must end well inside the 30 s that service managers usually allow. */
const STOP_DEADLINE_MS = 25_000;

/**
 * SIGTERM or SIGINT: finish the requests in flight, commit what is queued, checkpoint (so the
 * next start replays nothing), remove server.json and exit. A signal during the start stops
 * as soon as the start is done. A second signal, or a stop that passes the deadline, exits at
 * once: every acknowledged event is already durable in the log.
 */
function stopOnSignals(serverFile: string): { serving(tend: Tend): void } {
  let running: Tend | undefined;
  let stopAsked = false;
  const exit = (code: number) => {
    fs.rmSync(serverFile, { force: true });
    process.exit(code);
  };
  const close = (tend: Tend) =>
    tend.close().then(
      () => exit(0),
      (err: Error) => {
        process.stderr.write(`clean stop failed: ${err.message}\n`);
        exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopAsked) {
      process.stderr.write(`${signal} again: exiting without waiting for the clean stop\n`);
      exit(1);
    }
    stopAsked = true;
    setTimeout(() => {
      process.stderr.write(`clean stop took more than ${STOP_DEADLINE_MS / 1000} s: exiting; the next start replays the log\n`);
      exit(1);
    }, STOP_DEADLINE_MS).unref();
    if (running) void close(running);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    serving(tend) {
      running = tend;
      if (stopAsked) void close(tend);
      else reloadOnSighup(tend);
    },
  };
}

/** SIGHUP: read tend.yaml again, here and on every node sharing the metadata store. */
function reloadOnSighup(tend: Tend): void {
  process.on('SIGHUP', () => {
    tend.cluster.reload().then(
      ({ config_hash }) => process.stderr.write(`tend.yaml reloaded (sha256 ${config_hash.slice(0, 12)})\n`),
      (err: Error) => process.stderr.write(`reload failed, the running configuration is unchanged: ${err.message}\n`),
    );
  });
}

function banner(tend: Tend): string {
  const keyLine = !fs.existsSync(tend.keys.keysFile)
    ? `  keys:  no keys.json here (production keys were made before the first start); see \`tend keys list\``
    : tend.keys.created
      ? `  keys:  ${tend.keys.keysFile}  (created now; keep it private)`
      : `  keys:  ${tend.keys.keysFile}`;
  // The key is printed on the first start only, like the owner's password: logs of later starts hold no secret.
  const key = process.env.TEND_INGEST_KEY ? '$TEND_INGEST_KEY' : (tend.keys.ingestKey ?? '<ingest_key from keys.json>');
  return [
    `Tend is listening on ${tend.url}`,
    `  OTLP:  ${tend.url}/v1/{traces,logs,metrics} (HTTP)${tend.grpc ? `, ${tend.grpc.address} (gRPC)` : ', gRPC off'}`,
    `  data:  ${tend.config.dataDir}`,
    keyLine,
    ...(tend.owner?.password
      ? [`  owner: ${tend.owner.email}  password ${tend.owner.password}  (shown once, also in keys.json; sign in and change it)`]
      : tend.owner
        ? [`  owner: ${tend.owner.email} (password from TEND_ADMIN_PASSWORD)`]
        : []),
    '',
    'Send a first event:',
    `  curl -X POST ${tend.url}/1/events/my-service \\`,
    `    -H "X-Honeycomb-Team: ${key}" \\`,
    `    -d '{"endpoint": "/hello", "status_code": 200, "duration_ms": 12.5}'`,
    '',
  ].join('\n');
}
