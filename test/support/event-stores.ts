// The event-store engines the engine-neutral tests run against: DuckDB (embedded, in the test's
// data folder) and ClickHouse (Debian's clickhouse-server, one per test file, started in a temp
// folder on free ports by bench/clickhouse.ts). A test file runs its cases once per engine.
import { afterAll } from 'vitest';
import { startClickHouse, type ClickHouse } from '../../bench/clickhouse.js';
import { ClickHouseEventStore } from '../../src/store/clickhouse/clickhouse-event-store.js';
import { DuckEventStore, type DuckDatabase, type EventStore } from '../../src/store/index.js';

export const ENGINES_UNDER_TEST = ['duckdb', 'clickhouse'] as const;
export type EngineUnderTest = (typeof ENGINES_UNDER_TEST)[number];

let server: Promise<ClickHouse> | undefined;

/** This test file's ClickHouse server, started on first use. */
export function clickHouseServer(): Promise<ClickHouse> {
  server ??= startClickHouse().then((ch) => {
    if (!ch) throw new Error('clickhouse-server is missing: run scripts/ensure-test-tools.sh');
    return ch;
  });
  return server;
}

/** `--events` for a fresh database on this file's server. */
export async function clickHouseEventsUrl(): Promise<string> {
  const ch = await clickHouseServer();
  return `${ch.url.replace('http://', 'clickhouse://default:@')}/t${Math.random().toString(36).slice(2, 10)}`;
}

/** An event store of the engine; DuckDB's lives in `db`, ClickHouse's in a fresh database. */
export async function openEventStore(engine: EngineUnderTest, db: DuckDatabase): Promise<EventStore & { close?(): Promise<void> }> {
  if (engine === 'duckdb') return DuckEventStore.open(db);
  return ClickHouseEventStore.open(await clickHouseEventsUrl());
}

/** Stops this file's ClickHouse server, if it started one. */
export async function stopClickHouseServer(): Promise<void> {
  const started = server;
  server = undefined;
  if (started) await (await started).stop();
}

/**
 * Runs an engine-neutral test file's cases against Tend nodes keeping events in ClickHouse: starts
 * this file's server, points startTestTend and spawnTend at it (TEND_TEST_EVENTS), then loads the
 * file, whose describe blocks register here. Used by test/clickhouse/*.test.ts.
 */
export async function onClickHouse(load: () => Promise<unknown>): Promise<void> {
  const ch = await clickHouseServer();
  process.env.TEND_TEST_EVENTS = ch.url.replace('http://', 'clickhouse://default:@');
  afterAll(async () => {
    // A worker that runs another file next must not send it to this stopped server.
    delete process.env.TEND_TEST_EVENTS;
    await stopClickHouseServer();
  });
  await load();
}
