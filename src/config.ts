// Every setting Tend reads, in one place: defaults, then environment variables, then flags.
// Later capabilities add their settings here so `tend serve --help` and docs/configuration.md
// stay the single list.
import os from 'node:os';
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
  /** Bytes per second a request body must keep arriving at once its grace period is over (0: no minimum). */
  minBodyRate: number;
  /** Seconds a request body may take before minBodyRate applies; the rate is measured over the last this many seconds. */
  bodyGraceSeconds: number;
  /** Most user columns one dataset may have; an event that would add more is refused whole. */
  maxColumnsPerDataset: number;
}

export interface TendConfig {
  host: string;
  port: number;
  /** OTLP/gRPC port; 0 picks a free port, null turns gRPC off. */
  grpcPort: number | null;
  dataDir: string;
  /**
   * Where metadata lives (--meta, TEND_META): null for the embedded store in the data folder, or a
   * postgres:// URL shared by every node (src/store/postgres, docs/scale-out.md).
   */
  meta: string | null;
  /**
   * Where events live (--events, TEND_EVENTS): null for the embedded store in the data folder, or a
   * clickhouse:// URL shared by every node (src/store/clickhouse, docs/scale-out.md).
   */
  events: string | null;
  /**
   * Days of events kept by default (--retention-days, TEND_RETENTION_DAYS); undefined when neither
   * is given: then tend.yaml's retention.default, else 60 (src/retention). 0 keeps everything.
   */
  retentionDays: number | undefined;
  /** Log level for the server's own pino logger. */
  logLevel: string;
  /** DuckDB's memory limit (e.g. "4GB"); past it DuckDB spills to disk instead of growing. */
  memoryLimit: string;
  /**
   * Free space the data folder's disk keeps (src/disk): below it, event writes get 507 and
   * /readyz 503. The smaller of the two limits given; null: that limit is not used.
   */
  minFreeDisk: MinFreeDisk;
  ingest: IngestLimits;
  /**
   * Parse Honeycomb batches and fill their chunks in a worker thread (src/ingest/worker), so the
   * main thread stays free for HTTP and health probes under a flood; TEND_INGEST_WORKER=0 keeps
   * that work on the main thread (the behaviour before, for comparison). Embedded store only.
   */
  ingestWorker: boolean;
  checks: ChecksSettings;
  /** Alerts: triggers, routing, delivery (docs/alerts.md); routes and receivers are in tend.yaml. */
  alerts: AlertsSettings;
  /** SLOs (docs/slos.md): evaluation interval; tend.yaml's slo_interval wins. */
  slos: SlosSettings;
  auth: AuthSettings;
  /** Background checkpoints of the event store's write-ahead log (store/duckdb/checkpoints.ts). */
  checkpoint: { writeMs: number; walBytes: number; intervalMs: number };
}

/** --min-free-disk: bytes, a percentage of the disk, or (the default) the smaller of 5% and 2 GB. */
export interface MinFreeDisk {
  bytes: number | null;
  percent: number | null;
}

export const defaultMinFreeDisk: MinFreeDisk = { bytes: 2 * 1024 ** 3, percent: 5 };

/** People, sessions, cross-site rules and TLS (docs/security.md). */
export interface AuthSettings {
  /** A session ends after this long without a request (--session-idle, default 12h). */
  sessionIdleMs: number;
  /** and this long after sign-in whatever happens (--session-max-age, default 7d). */
  sessionMaxMs: number;
  /** Believe X-Forwarded-For/-Proto from a proxy in front (client address, Secure cookies). */
  trustProxy: boolean;
  /** Origins other sites' pages may call the API from (CORS); none by default. */
  corsOrigins: string[];
  /** PEM files: serve HTTPS (and OTLP/gRPC over TLS). Both or neither. */
  tls: { certFile: string; keyFile: string } | null;
}

/** Alerts (docs/alerts.md). Tests shorten the intervals; the defaults suit production. */
export interface AlertsSettings {
  /** The URL people reach Tend at, for links in notifications (TEND_EXTERNAL_URL; default the listen address). */
  externalUrl?: string;
  /** This node's name on lease rows (TEND_NODE_ID; default the host name). */
  nodeId: string;
  /** How often due triggers are looked for (ms). */
  triggerTickMs: number;
  /** Resolved alerts are forgotten this long after they resolve (their history stays in tend.alerts). */
  keepResolvedMs: number;
  delivery: {
    /** First retry after this, doubling up to maxDelayMs, with jitter (ms). */
    baseDelayMs: number;
    maxDelayMs: number;
    /** Retried for at least this long before it is given up (ms). */
    giveUpAfterMs: number;
    attemptTimeoutMs: number;
    /** Notifications in flight per receiver. */
    perReceiver: number;
    pollMs: number;
  };
}

export const defaultAlertsSettings = (env: NodeJS.ProcessEnv = process.env): AlertsSettings => ({
  externalUrl: env.TEND_EXTERNAL_URL || undefined,
  nodeId: env.TEND_NODE_ID || os.hostname(),
  triggerTickMs: 1000,
  keepResolvedMs: 86_400_000,
  delivery: {
    // TEND_ALERT_RETRY_BASE_MS shortens the backoff (tests, drills); production keeps 10 s.
    baseDelayMs: toInt(env.TEND_ALERT_RETRY_BASE_MS, 'TEND_ALERT_RETRY_BASE_MS') ?? 10_000,
    maxDelayMs: 300_000,
    giveUpAfterMs: 2 * 3_600_000,
    attemptTimeoutMs: 10_000,
    perReceiver: 4,
    pollMs: Math.min(1000, toInt(env.TEND_ALERT_RETRY_BASE_MS, 'TEND_ALERT_RETRY_BASE_MS') ?? 1000),
  },
});

/** SLOs (docs/slos.md). */
export interface SlosSettings {
  /** How often every SLO is evaluated (TEND_SLO_INTERVAL seconds, at least 10; default 60). */
  intervalMs: number;
  /** This node's name on the evaluation lease (TEND_NODE_ID; default the host name). */
  nodeId: string;
  /** Longest a rollup query may run (ms). */
  queryTimeoutMs: number;
}

export const defaultSlosSettings = (env: NodeJS.ProcessEnv = process.env): SlosSettings => ({
  intervalMs: 1000 * Math.max(10, toInt(env.TEND_SLO_INTERVAL, 'TEND_SLO_INTERVAL') ?? 60),
  nodeId: env.TEND_NODE_ID || os.hostname(),
  queryTimeoutMs: 30_000,
});

export interface ChecksSettings {
  /** tend.yaml: checks and status pages as code (--config, TEND_CONFIG, else ./tend.yaml). */
  configFile: string;
  /** True when the file was named: then a missing file is an error, not "no checks". */
  configFileNamed: boolean;
  /** Checks running at the same moment; more wait their turn (counted as schedule lag). */
  concurrency: number;
}

export const defaultIngestLimits: IngestLimits = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  maxFieldsPerEvent: 2000,
  maxStringBytes: 64 * 1024,
  maxQueuedEvents: 200_000,
  maxCommitEvents: 50_000,
  // A 5 MB body sent at 200 KB/s passes; 100 slow connections can hold at most ~10 s each.
  minBodyRate: 10 * 1024,
  bodyGraceSeconds: 10,
  maxColumnsPerDataset: 10_000,
};

/**
 * Background checkpoints (store/duckdb/checkpoints.ts): a start after a crash replays about a
 * third of the time appends took since the last checkpoint, so 6 s of appends keep it near
 * 2 s; the size and the schedule catch what that misses (docs/benchmarks.md, "Restart").
 * The size also bounds memory: DuckDB keeps the rows appended since the last checkpoint in
 * memory, uncompressed (about 1.3 times the log), so on a fast machine 128 MiB of log held
 * 166 MiB of rows; 32 MiB holds about 45 (docs/benchmarks.md, "Memory under a flood").
 */
export const defaultCheckpoint = { afterWritesSeconds: 6, walMiB: 32, intervalSeconds: 60 };

export interface ConfigOverrides {
  host?: string;
  port?: number | string;
  grpcPort?: number | string;
  data?: string;
  retentionDays?: number | string;
  logLevel?: string;
  memoryLimit?: string;
  maxQueuedEvents?: number | string;
  minBodyRate?: number | string;
  bodyGrace?: number | string;
  minFreeDisk?: number | string;
  maxColumnsPerDataset?: number | string;
  config?: string;
  checkConcurrency?: number | string;
  sessionIdle?: string;
  sessionMaxAge?: string;
  trustProxy?: boolean | string;
  corsOrigin?: string;
  tlsCert?: string;
  tlsKey?: string;
  checkpointAfterWrites?: number | string;
  checkpointWalMb?: number | string;
  checkpointInterval?: number | string;
  meta?: string;
  events?: string;
}

function toInt(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative whole number, got "${value}"`);
  return n;
}

/**
 * OTLP/gRPC listens on 4317 (the OpenTelemetry default) unless told otherwise; "off" turns it
 * off. When the HTTP port is 0 (a free port, as in tests) gRPC also takes a free port, so
 * several nodes on one machine never fight over 4317.
 */
function readGrpcPort(value: number | string | undefined, httpPort: number): number | null {
  if (typeof value === 'string' && ['off', 'false', 'none', 'disabled'].includes(value.trim().toLowerCase())) return null;
  const n = toInt(value, '--grpc-port / TEND_GRPC_PORT') ?? (httpPort === 0 ? 0 : 4317);
  if (n > 65535) throw new Error(`--grpc-port must be at most 65535, got ${n}`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** A size in bytes: a whole number, or a number with KB, MB, GB or TB (powers of 1024). */
function toBytes(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?b)?$/i.exec(String(value).trim());
  if (!m) throw new Error(`${name} must be a size such as 10KB, 100MB or 2048, got "${value}"`);
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]);
}

/** "10%" (of the disk), or a size such as "2GB" (toBytes). */
function readMinFreeDisk(value: number | string | undefined, name: string): MinFreeDisk | undefined {
  if (value === undefined || value === '') return undefined;
  const problem = new Error(`${name} must be a size such as 2GB or 500MB, or a percentage of the disk such as 5%, got "${value}"`);
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(String(value).trim());
  if (pct) {
    if (Number(pct[1]) > 100) throw problem;
    return { bytes: null, percent: Number(pct[1]) };
  }
  try {
    return { bytes: toBytes(value, name)!, percent: null };
  } catch {
    throw problem;
  }
}

/**
 * --events (ClickHouse) and --meta (PostgreSQL): a URL with one of `schemes`, checked here so a
 * typo fails at start, naming the flag; null when not given.
 */
function readStoreUrl(value: string | undefined, flag: string, schemes: string[], example: string): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`${flag} must be a URL such as ${example}, got "${value}"`);
  }
  if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
    throw new Error(`${flag} must be a ${schemes.map((s) => `${s}://`).join(' or ')} URL, got "${url.protocol}//..."`);
  }
  return value.trim();
}

/** DuckDB would take 80% of RAM by default; Tend leaves room for Node and the OS: 40%. */
function readMemoryLimit(value: string | undefined): string {
  if (!value) return `${Math.max(1, Math.floor((os.totalmem() * 0.4) / 2 ** 30))}GB`;
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value.trim())) {
    throw new Error(`--memory-limit must be a size such as 512MB or 4GB, got "${value}"`);
  }
  return value.trim();
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "12h", "7d". */
function toDurationMs(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new Error(`${name} must be a duration such as 90s, 30m, 12h or 7d, got "${value}"`);
  return Number(m[1]) * DURATION_UNITS[m[2]];
}

function readAuth(flags: ConfigOverrides, env: NodeJS.ProcessEnv): AuthSettings {
  const certFile = flags.tlsCert || env.TEND_TLS_CERT || undefined;
  const keyFile = flags.tlsKey || env.TEND_TLS_KEY || undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('--tls-cert and --tls-key go together: give both files or neither');
  const trust = flags.trustProxy ?? env.TEND_TRUST_PROXY;
  return {
    sessionIdleMs: toDurationMs(flags.sessionIdle || env.TEND_SESSION_IDLE, '--session-idle', 12 * 3_600_000),
    sessionMaxMs: toDurationMs(flags.sessionMaxAge || env.TEND_SESSION_MAX_AGE, '--session-max-age', 7 * 86_400_000),
    trustProxy: trust === true || (typeof trust === 'string' && ['1', 'true', 'yes'].includes(trust.trim().toLowerCase())),
    corsOrigins: (flags.corsOrigin ?? env.TEND_CORS_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    tls: certFile && keyFile ? { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) } : null,
  };
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Checked here because pino's own error for an unknown level names neither the flag nor the choices. */
function readLogLevel(value: string | undefined): string {
  if (!value) return 'warn';
  const level = value.trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

/** Flags win over environment variables, which win over defaults. */
export function loadConfig(flags: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): TendConfig {
  const port = toInt(flags.port, '--port') ?? toInt(env.TEND_PORT, 'TEND_PORT') ?? 4318;
  if (port > 65535) throw new Error(`--port must be at most 65535, got ${port}`);
  const grpcPort = readGrpcPort(flags.grpcPort ?? env.TEND_GRPC_PORT, port);
  const maxQueued =
    toInt(flags.maxQueuedEvents, '--max-queued-events') ??
    toInt(env.TEND_MAX_QUEUED_EVENTS, 'TEND_MAX_QUEUED_EVENTS') ??
    defaultIngestLimits.maxQueuedEvents;
  return {
    host: flags.host ?? env.TEND_HOST ?? '127.0.0.1',
    port,
    grpcPort,
    dataDir: path.resolve(flags.data ?? env.TEND_DATA ?? './tend-data'),
    meta: readStoreUrl(flags.meta || env.TEND_META, '--meta', ['postgres', 'postgresql'], 'postgres://user:password@host:5432/tend'),
    events: readStoreUrl(flags.events || env.TEND_EVENTS, '--events', ['clickhouse', 'clickhouses'], 'clickhouse://user:password@host:8123/tend'),
    retentionDays: toInt(flags.retentionDays, '--retention-days') ?? toInt(env.TEND_RETENTION_DAYS, 'TEND_RETENTION_DAYS'),
    logLevel: readLogLevel(flags.logLevel || env.TEND_LOG_LEVEL),
    memoryLimit: readMemoryLimit(flags.memoryLimit || env.TEND_MEMORY_LIMIT),
    minFreeDisk: readMinFreeDisk(flags.minFreeDisk, '--min-free-disk') ?? readMinFreeDisk(env.TEND_MIN_FREE_DISK, 'TEND_MIN_FREE_DISK') ?? defaultMinFreeDisk,
    ingest: {
      ...defaultIngestLimits,
      maxQueuedEvents: maxQueued,
      maxCommitEvents: Math.min(defaultIngestLimits.maxCommitEvents, Math.max(1000, maxQueued)),
      minBodyRate: toBytes(flags.minBodyRate, '--min-body-rate') ?? toBytes(env.TEND_MIN_BODY_RATE, 'TEND_MIN_BODY_RATE') ?? defaultIngestLimits.minBodyRate,
      bodyGraceSeconds: Math.max(1, toInt(flags.bodyGrace, '--body-grace') ?? toInt(env.TEND_BODY_GRACE, 'TEND_BODY_GRACE') ?? defaultIngestLimits.bodyGraceSeconds),
      maxColumnsPerDataset:
        toInt(flags.maxColumnsPerDataset, '--max-columns-per-dataset') ??
        toInt(env.TEND_MAX_COLUMNS_PER_DATASET, 'TEND_MAX_COLUMNS_PER_DATASET') ??
        defaultIngestLimits.maxColumnsPerDataset,
    },
    ingestWorker: env.TEND_INGEST_WORKER !== '0',
    checks: {
      // An empty TEND_CONFIG means "not set", as for the other variables.
      configFile: path.resolve(flags.config || env.TEND_CONFIG || './tend.yaml'),
      configFileNamed: Boolean(flags.config || env.TEND_CONFIG),
      concurrency: Math.max(1, toInt(flags.checkConcurrency, '--check-concurrency') ?? toInt(env.TEND_CHECK_CONCURRENCY, 'TEND_CHECK_CONCURRENCY') ?? 100),
    },
    alerts: defaultAlertsSettings(env),
    slos: defaultSlosSettings(env),
    auth: readAuth(flags, env),
    checkpoint: {
      writeMs: 1000 * (toInt(flags.checkpointAfterWrites, '--checkpoint-after-writes') ?? toInt(env.TEND_CHECKPOINT_AFTER_WRITES, 'TEND_CHECKPOINT_AFTER_WRITES') ?? defaultCheckpoint.afterWritesSeconds),
      walBytes: 2 ** 20 * (toInt(flags.checkpointWalMb, '--checkpoint-wal-mb') ?? toInt(env.TEND_CHECKPOINT_WAL_MB, 'TEND_CHECKPOINT_WAL_MB') ?? defaultCheckpoint.walMiB),
      intervalMs: 1000 * (toInt(flags.checkpointInterval, '--checkpoint-interval') ?? toInt(env.TEND_CHECKPOINT_INTERVAL, 'TEND_CHECKPOINT_INTERVAL') ?? defaultCheckpoint.intervalSeconds),
    },
  };
}
