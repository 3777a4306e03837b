// `tend serve`: start Tend on one port with one data folder.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { startTend, type Tend } from '../server/index.js';
import { SERVER_FILE } from './client.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start Tend: HTTP API, Honeycomb and OpenTelemetry ingest, on one port')
    .option('--port <port>', 'port to listen on (env TEND_PORT)', undefined)
    .option('--grpc-port <port>', 'OTLP/gRPC port, default 4317; off to turn gRPC off (env TEND_GRPC_PORT)')
    .option('--host <host>', 'address to listen on; 0.0.0.0 for every interface (env TEND_HOST)')
    .option('--data <dir>', 'data folder (env TEND_DATA)')
    .option('--retention-days <days>', 'days of events to keep, 0 for ever (env TEND_RETENTION_DAYS)')
    .option('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent (env TEND_LOG_LEVEL)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB; default 40% of RAM (env TEND_MEMORY_LIMIT)')
    .option('--max-queued-events <n>', 'events waiting for commit before 429 (env TEND_MAX_QUEUED_EVENTS)')
    .option('--max-columns-per-dataset <n>', 'user columns one dataset may have; events that would add more are refused (env TEND_MAX_COLUMNS_PER_DATASET, default 10000)')
    .option('--config <file>', 'checks and status pages as code (env TEND_CONFIG; default ./tend.yaml when present)')
    .option('--check-concurrency <n>', 'checks running at once (env TEND_CHECK_CONCURRENCY, default 100)')
    .action(async (flags) => {
      const config = loadConfig(flags);
      const tend = await startTend(config).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') throw err;
        throw new Error(`port ${config.port} on ${config.host} is already in use: stop what holds it or pass --port`);
      });
      // CLI commands that find the folder locked by this server ask it at this address.
      fs.writeFileSync(path.join(tend.config.dataDir, SERVER_FILE), JSON.stringify({ url: tend.url, pid: process.pid }) + '\n');
      process.stdout.write(banner(tend));
      const stop = async () => {
        await tend.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function banner(tend: Tend): string {
  const keyLine = !fs.existsSync(tend.keys.keysFile)
    ? `  keys:  no keys.json here (production keys were made before the first start); see \`tend keys list\``
    : tend.keys.created
      ? `  keys:  ${tend.keys.keysFile}  (created now; keep it private)`
      : `  keys:  ${tend.keys.keysFile}`;
  const key = process.env.TEND_INGEST_KEY ? '$TEND_INGEST_KEY' : (tend.keys.ingestKey ?? '<your ingest key>');
  return [
    `Tend is listening on ${tend.url}`,
    `  OTLP:  ${tend.url}/v1/{traces,logs,metrics} (HTTP)${tend.grpc ? `, ${tend.grpc.address} (gRPC)` : ', gRPC off'}`,
    `  data:  ${tend.config.dataDir}`,
    keyLine,
    '',
    'Send a first event:',
    `  curl -X POST ${tend.url}/1/events/my-service \\`,
    `    -H "X-Honeycomb-Team: ${key}" \\`,
    `    -d '{"endpoint": "/hello", "status_code": 200, "duration_ms": 12.5}'`,
    '',
  ].join('\n');
}
