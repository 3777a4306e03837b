// Which column of a dataset holds the endpoint, the customer, the build and the latency, and
// what makes an event an error. Deploy reports, customer pages and capacity all ask the same
// question of a dataset, so the answer lives here once.
//
// A value declared in tend.yaml wins. Otherwise the default name is used, unless the dataset
// lacks it and has OpenTelemetry's name for the same thing (`http.route`, `service.version`,
// `http.response.status_code`), which is then used instead.

export interface DatasetFields {
  endpoint_field: string;
  customer_field: string;
  build_field: string;
  duration_field: string;
  /** A derived-column expression: true when the event is an error. */
  error: string;
}

export type DeclaredFields = Partial<DatasetFields>;

/** For each field: the default name first, then the OpenTelemetry name recognised instead. */
const CANDIDATES = {
  endpoint_field: ['endpoint', 'http.route'],
  customer_field: ['customer_id'],
  build_field: ['build_id', 'service.version'],
  duration_field: ['duration_ms'],
} as const satisfies Record<Exclude<keyof DatasetFields, 'error'>, readonly string[]>;

const STATUS_CANDIDATES = ['status_code', 'http.response.status_code'] as const;

/** `$name`, quoted when the name has characters the bare form does not take. */
export function columnRef(name: string): string {
  return /^[\p{L}\p{N}_./:=+?-]+$/u.test(name) ? `$${name}` : `$${JSON.stringify(name)}`;
}

export const errorWhenStatusAtLeast500 = (statusColumn: string) => `GTE(${columnRef(statusColumn)}, 500)`;

export const DEFAULT_FIELDS: DatasetFields = {
  endpoint_field: CANDIDATES.endpoint_field[0],
  customer_field: CANDIDATES.customer_field[0],
  build_field: CANDIDATES.build_field[0],
  duration_field: CANDIDATES.duration_field[0],
  error: errorWhenStatusAtLeast500(STATUS_CANDIDATES[0]),
};

/** The first candidate the dataset has; the default name when it has none of them. */
function pick(candidates: readonly string[], columns: ReadonlySet<string>): string {
  return candidates.find((c) => columns.has(c)) ?? candidates[0];
}

/** The fields of one dataset, given what tend.yaml declares for it and the dataset's columns. */
export function resolveDatasetFields(declared: DeclaredFields | undefined, columns: Iterable<string>): DatasetFields {
  const have = new Set(columns);
  const d = declared ?? {};
  return {
    endpoint_field: d.endpoint_field ?? pick(CANDIDATES.endpoint_field, have),
    customer_field: d.customer_field ?? pick(CANDIDATES.customer_field, have),
    build_field: d.build_field ?? pick(CANDIDATES.build_field, have),
    duration_field: d.duration_field ?? pick(CANDIDATES.duration_field, have),
    error: d.error ?? errorWhenStatusAtLeast500(pick(STATUS_CANDIDATES, have)),
  };
}
