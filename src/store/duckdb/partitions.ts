// Events are kept in one table per dataset per UTC day. A time-bounded query reads only the
// days it covers, and retention drops whole tables instead of deleting rows.
import { sqlColumnName } from './column-names.js';

export const DAY_US = 86_400_000_000;

export function dayOf(timeUs: number): number {
  return Math.floor(timeUs / DAY_US);
}

/** 20261122 for the day holding 2026-11-22T00:00Z. */
export function dayLabel(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
}

export function partitionTable(datasetId: string, day: number): string {
  return `ev_${datasetId}_${dayLabel(day)}`;
}

/**
 * Quotes a name for DuckDB: capitals spelled out (column-names.ts), then wrapped in double
 * quotes with any inside doubled.
 */
export function quoteIdent(name: string): string {
  return `"${sqlColumnName(name).replaceAll('"', '""')}"`;
}
