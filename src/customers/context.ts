// What every customer question needs of a dataset: that it exists, its columns, its fields
// (customer, endpoint, latency, error: src/dataset-fields) and the two calculated fields the
// queries share, an error flag and a weight-1 count of slow requests, written in the
// derived-column language so the query engine types, quotes and parameterises them.
import type { DatasetFieldsOf, DatasetFields } from '../dataset-fields/index.js';
import { columnRef } from '../dataset-fields/index.js';
import { notFound } from '../http/index.js';
import type { CustomerEvents } from './customer-events.js';
import type { EveryoneRollups } from './everyone.js';
import type { IncidentSummary } from './incidents.js';
import type { QueryDeps } from '../query/index.js';
import type { Column, Environment } from '../store/index.js';

/** Calculated field names; the leading underscores keep them clear of ordinary columns. */
export const ERROR_FIELD = '__tend_error';
export const SLOW_FIELD = '__tend_slow';
export const SCORE_FIELD = '__tend_score';

export interface CustomerDeps {
  query: QueryDeps;
  fields: DatasetFieldsOf;
  /** The SLIs of the SLOs over a dataset (a latency objective is read from them). */
  slis(envId: string, dataset: string): string[];
  /** Incidents of the services that own the dataset whose window overlaps [fromMs, toMs). */
  incidents(env: Environment, dataset: string, fromMs: number, toMs: number): Promise<IncidentSummary[]>;
  /** Everyone's figures per minute, for the pages. */
  everyone: EveryoneRollups;
  /** Customers' requests per hour, for the list. */
  customerEvents: CustomerEvents;
}

export interface DatasetContext {
  dataset: string;
  datasetId: string;
  fields: DatasetFields;
  columns: Set<string>;
  /** The dataset's columns with their types. */
  columnTypes: Map<string, Column['type']>;
  /** The `error` expression as a 1/0 calculated field. */
  errorField: { name: string; expression: string };
  /** Each query's time limit (`timeout_ms`, as the query API takes it). */
  options: { timeoutMs?: number };
}

export async function datasetContext(deps: CustomerDeps, env: Environment, dataset: string, timeoutMs?: number): Promise<DatasetContext> {
  const found = await deps.query.datasets.find(env.id, dataset);
  if (!found) throw notFound(`dataset: "${dataset}" does not exist in this environment`);
  const columnTypes = new Map((await deps.query.store.columns(found.id)).map((c) => [c.name, c.type]));
  const columns = new Set(columnTypes.keys());
  const fields = deps.fields(env.id, found.name, columns);
  return { dataset: found.name, datasetId: found.id, fields, columns, columnTypes, errorField: { name: ERROR_FIELD, expression: `IF(${fields.error}, 1, 0)` }, options: { timeoutMs } };
}

/** 1 when the request took longer than `thresholdMs`, else 0 (also when it has no latency). */
export function slowField(ctx: DatasetContext, thresholdMs: number | null): { name: string; expression: string } {
  const expression = thresholdMs === null ? '0' : `IF(GT(${columnRef(ctx.fields.duration_field)}, ${thresholdMs}), 1, 0)`;
  return { name: SLOW_FIELD, expression };
}

/** A ratio that is 0 rather than NaN when nothing was counted. */
export const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
