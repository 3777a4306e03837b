// Every setting Tend reads, in one place: defaults, then environment variables, then flags.
// Later capabilities add their settings here so `tend serve --help` and docs/configuration.md
// stay the single list.
import path from 'node:path';

export interface IngestLimits {
  /** Largest request body, after decompression (bytes). */
  maxBodyBytes: number;
  /** Largest single event, measured as the sum of its names and values (bytes). */
  maxEventBytes: number;
  /** Most fields in one event, after flattening. */
  maxFieldsPerEvent: number;
  /** Longest string value (bytes, UTF-8); longer values are cut to this length. */
  maxStringBytes: number;
  /** Events waiting for commit before new requests get 429. */
  maxQueuedEvents: number;
  /** Most events written in one group commit. */
  maxCommitEvents: number;
}

export interface TendConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Days of events kept; whole day partitions older than this are dropped. 0 keeps everything. */
  retentionDays: number;
  /** Log level for the server's own pino logger. */
  logLevel: string;
  ingest: IngestLimits;
}

export const defaultIngestLimits: IngestLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  maxFieldsPerEvent: 2000,
  maxStringBytes: 64 * 1024,
  maxQueuedEvents: 200_000,
  maxCommitEvents: 50_000,
};

export interface ConfigOverrides {
  host?: string;
  port?: number | string;
  data?: string;
  retentionDays?: number | string;
  logLevel?: string;
  maxQueuedEvents?: number | string;
}

function toInt(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative whole number, got "${value}"`);
  return n;
}

/** Flags win over environment variables, which win over defaults. */
export function loadConfig(flags: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): TendConfig {
  const port = toInt(flags.port, '--port') ?? toInt(env.TEND_PORT, 'TEND_PORT') ?? 4318;
  if (port > 65535) throw new Error(`--port must be at most 65535, got ${port}`);
  const maxQueued =
    toInt(flags.maxQueuedEvents, '--max-queued-events') ??
    toInt(env.TEND_MAX_QUEUED_EVENTS, 'TEND_MAX_QUEUED_EVENTS') ??
    defaultIngestLimits.maxQueuedEvents;
  return {
    host: flags.host ?? env.TEND_HOST ?? '127.0.0.1',
    port,
    dataDir: path.resolve(flags.data ?? env.TEND_DATA ?? './tend-data'),
    retentionDays:
      toInt(flags.retentionDays, '--retention-days') ?? toInt(env.TEND_RETENTION_DAYS, 'TEND_RETENTION_DAYS') ?? 60,
    logLevel: flags.logLevel ?? env.TEND_LOG_LEVEL ?? 'warn',
    ingest: { ...defaultIngestLimits, maxQueuedEvents: maxQueued, maxCommitEvents: Math.min(defaultIngestLimits.maxCommitEvents, Math.max(1000, maxQueued)) },
  };
}
