// The shapes every store implementation shares: what an event is once ingest has checked it,
// what a column is, and which dataset a write belongs to.

/** The four types a column can have. The first value seen decides; see column-types.ts. */
export type ColumnType = 'string' | 'integer' | 'float' | 'boolean';

export type FieldValue = string | number | boolean;

/** An event after validation and flattening: ready to store. */
export interface StoredEvent {
  /** Event time, microseconds since the Unix epoch (UTC). */
  time: number;
  /** This event stands for `samplerate` events (>= 1). */
  samplerate: number;
  /** Flat field names (dotted for nested input) to values; never null. */
  fields: Record<string, FieldValue>;
}

export interface Environment {
  id: string;
  name: string;
  slug: string;
}

export interface Dataset {
  id: string;
  envId: string;
  /** Lower-cased name: datasets are case-insensitive. */
  slug: string;
  /** The casing of the first write, for display. */
  name: string;
  createdAt: string;
}

export interface Column {
  name: string;
  type: ColumnType;
}

/** The columns every event has, named so no flattened user field can collide with them. */
export const TIME_COLUMN = '__time';
export const SAMPLERATE_COLUMN = '__samplerate';
export const RESERVED_PREFIX = '__';
