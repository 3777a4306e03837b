// What the main thread and the ingest worker thread (worker-thread.ts) say to each other.
// Bodies go in and filled chunks come out as transferred buffers, not copies; events stay in the
// worker from the parse of their body until their commit is over. A commit's chunks are filled
// one at a time as the main thread asks (one ahead of the one it appends), so a commit never
// holds all its chunks at once: a chunk of a 2,000-column table is 65 MB.
import type { IngestLimits } from '../../config.js';
import type { DatasetSchema, FilledChunk, SchemaChanges } from '../../store/index.js';

export type ToWorker =
  /** Parse and check a Honeycomb batch body, and hold its good events as batch `id`. */
  | { kind: 'check'; id: number; body: Uint8Array; receivedUs: number; limits: IngestLimits }
  /** Plan held batches against the schemas, and keep the plan as `id` (batches stay held). */
  | { kind: 'prepare'; id: number; datasets: PrepareDataset[]; maxColumns: number }
  /** Fill chunk `index` of table `table` (in the order of the plan's datasets and tables) of plan `plan`. */
  | { kind: 'chunk'; id: number; plan: number; table: number; index: number }
  /** Forget a plan: its commit is over, or it is redone. */
  | { kind: 'drop'; plan: number }
  /** Forget batches whose commit is over. */
  | { kind: 'release'; batches: number[] };

export interface PrepareDataset {
  datasetId: string;
  /** The store's VersionedSchema version; `schema` comes along when the worker's copy is older. */
  version: number;
  schema?: DatasetSchema;
  /** Held batches, in the order their events are appended. */
  batches: number[];
}

export type FromWorker =
  | { kind: 'checked'; id: number; total: number; good: number; problems: [number, string][]; times: Float64Array }
  | { kind: 'prepared'; id: number; datasets: PreparedDataset[] }
  | { kind: 'chunk'; id: number; chunk: FilledChunk }
  /** The request failed: `status` 400 for a body that is not a batch, 500 for a fault. */
  | { kind: 'failed'; id: number; status: number; message: string };

export interface PreparedDataset extends SchemaChanges {
  datasetId: string;
  /** The schema once committed; undefined when the write changes none. */
  schema?: DatasetSchema;
  /** Each destination table and how many chunks it takes. */
  tables: { name: string; chunks: number }[];
  /** Events the plan refused: batch, index in that batch's body, why. */
  refused: [number, number, string][];
}
