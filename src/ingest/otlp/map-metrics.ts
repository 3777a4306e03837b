// OTLP metrics -> events: the data points of one resource, scope, timestamp and attribute set
// become one event with one column per metric (a histogram `m` gives m.count, m.sum, m.min,
// m.max and m.buckets). docs/opentelemetry.md documents every column and the bucket encoding.
import { copyFields, eachItem, forEachItem, samplerateOf, type MappedRequest } from './mapped.js';
import {
  addAttributes,
  given,
  isUnset,
  OtlpProblem,
  readCount,
  readDouble,
  readEnum,
  readInt64,
  readList,
  readNanos,
  readObject,
  readString,
  type AttrValue,
} from './values.js';

const TEMPORALITIES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'] as const;
const TEMPORALITY_NAMES = ['unspecified', 'delta', 'cumulative'];
/** DataPointFlags.NO_RECORDED_VALUE: the point marks a gap, it has no value to store. */
const NO_RECORDED_VALUE = 1;
/** Bounds beyond this many buckets from an exponential histogram would only repeat zeros. */
const MAX_BUCKETS = 4096;

interface Group {
  dataset: string;
  data: Record<string, AttrValue>;
  timeUs: number | undefined;
  points: number;
}

/** Buckets as stored in `m.buckets`: counts[i] is the number of values in (bounds[i-1], bounds[i]]. */
export interface Buckets {
  bounds: number[];
  counts: number[];
}

export function mapMetrics(body: Record<string, unknown>, req: MappedRequest, datasetOverride: string | undefined): void {
  const groups = new Map<string, Group>();
  const shape = { resources: 'resourceMetrics', scopes: 'scopeMetrics', items: 'metrics', weight: pointCount };
  forEachItem(req, body, shape, datasetOverride, (value, c, metricPath) => {
    const metric = readObject(value, '') ?? {};
    const name = readString(metric.name, '.name');
    const points = pointsOf(metric, '');
    if (!name) throw new OtlpProblem('.name: metric name is empty');
    for (let p = 0; p < points.list.length; p++) {
      const pat = `.${points.kind}.dataPoints[${p}]`;
      eachItem(req, 1, () => {
        const point = readObject(points.list[p], pat);
        if (!point) throw new OtlpProblem(`${pat}: expected a data point object`);
        const columns = metricColumns(name, points.kind, points.info, point, pat);
        if (!columns) return;
        const attrs: Record<string, AttrValue> = {};
        addAttributes(attrs, point.attributes, `${pat}.attributes`);
        const time = readNanos(point.timeUnixNano, `${pat}.timeUnixNano`);
        const key = `${c.origin.dataset}\u0000${c.resource}\u0000${c.scope}\u0000${time.us}.${time.ns}\u0000${canonical(attrs)}`;
        let group = groups.get(key);
        if (!group) {
          const data = copyFields(c.fields);
          Object.assign(data, attrs, { 'meta.signal_type': 'metric' });
          group = { dataset: c.origin.dataset, data, timeUs: isUnset(time) ? undefined : time.us, points: 0 };
          groups.set(key, group);
        }
        Object.assign(group.data, columns);
        group.points++;
      }, metricPath);
    }
  });
  for (const g of groups.values()) {
    const problem = req.add(g.dataset, [{ data: g.data, timeUs: g.timeUs, samplerate: samplerateOf(g.data) }]);
    if (problem) req.reject(`metrics event at ${g.timeUs ?? 'receipt'}: ${problem}`, g.points);
  }
}

type Kind = 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
const KINDS: Kind[] = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];

function pointsOf(metric: Record<string, unknown>, at: string): { kind: Kind; info: Record<string, unknown>; list: unknown[] } {
  for (const kind of KINDS) {
    const info = readObject(metric[kind], `${at}.${kind}`);
    if (info) return { kind, info, list: readList(info.dataPoints, `${at}.${kind}.dataPoints`) };
  }
  return { kind: 'gauge', info: {}, list: [] };
}

/** Data points in one metric: what partial_success counts for metrics. */
function pointCount(metric: unknown): number {
  for (const kind of KINDS) {
    const points = (metric as Record<string, { dataPoints?: unknown } | null> | null)?.[kind]?.dataPoints;
    if (Array.isArray(points)) return points.length;
  }
  return 0;
}

/** The columns one data point gives its event, or undefined for a point with no recorded value. */
function metricColumns(name: string, kind: Kind, info: Record<string, unknown>, point: Record<string, unknown>, at: string): Record<string, AttrValue> | undefined {
  const flags = typeof point.flags === 'number' ? point.flags : 0;
  if (flags & NO_RECORDED_VALUE) return undefined;
  const out: Record<string, AttrValue> = {};
  const temporality = () => TEMPORALITY_NAMES[readEnum(info.aggregationTemporality, TEMPORALITIES, `${at}.aggregationTemporality`)] ?? 'unspecified';
  const setNumber = (column: string, v: number) => {
    if (Number.isFinite(v)) out[column] = v; // NaN and infinities have no column type: left out
  };
  switch (kind) {
    case 'gauge':
    case 'sum': {
      if (given(point, 'asDouble') !== undefined) setNumber(name, readDouble(point.asDouble, `${at}.asDouble`));
      else if (given(point, 'asInt') !== undefined) out[name] = readInt64(point.asInt, `${at}.asInt`);
      else throw new OtlpProblem(`${at}: has neither asDouble nor asInt`);
      if (kind === 'sum') {
        out[`${name}.temporality`] = temporality();
        out[`${name}.monotonic`] = info.isMonotonic === true;
      }
      return out;
    }
    case 'histogram':
    case 'exponentialHistogram': {
      out[`${name}.count`] = readCount(point.count, `${at}.count`);
      for (const f of ['sum', 'min', 'max'] as const) {
        if (given(point, f) !== undefined) setNumber(`${name}.${f}`, readDouble(point[f], `${at}.${f}`));
      }
      const buckets = kind === 'histogram' ? explicitBuckets(point, at) : exponentialBuckets(point, at);
      out[`${name}.buckets`] = JSON.stringify(buckets);
      out[`${name}.temporality`] = temporality();
      return out;
    }
    case 'summary': {
      out[`${name}.count`] = readCount(point.count, `${at}.count`);
      setNumber(`${name}.sum`, readDouble(point.sum ?? 0, `${at}.sum`));
      const qs = readList(point.quantileValues, `${at}.quantileValues`);
      for (let i = 0; i < qs.length; i++) {
        const q = readObject(qs[i], `${at}.quantileValues[${i}]`) ?? {};
        const quantile = readDouble(q.quantile ?? 0, `${at}.quantileValues[${i}].quantile`);
        if (!(quantile >= 0 && quantile <= 1)) throw new OtlpProblem(`${at}.quantileValues[${i}].quantile: expected 0 to 1, got ${quantile}`);
        setNumber(`${name}.p${+(quantile * 100).toFixed(4)}`, readDouble(q.value ?? 0, `${at}.quantileValues[${i}].value`));
      }
      return out;
    }
  }
}

function explicitBuckets(point: Record<string, unknown>, at: string): Buckets {
  const bounds = readList(point.explicitBounds, `${at}.explicitBounds`).map((b, i) => readDouble(b, `${at}.explicitBounds[${i}]`));
  const counts = readList(point.bucketCounts, `${at}.bucketCounts`).map((c, i) => readCount(c, `${at}.bucketCounts[${i}]`));
  if (counts.length > 0 && counts.length !== bounds.length + 1) {
    throw new OtlpProblem(`${at}.bucketCounts: expected ${bounds.length + 1} counts for ${bounds.length} bounds, got ${counts.length}`);
  }
  for (let i = 1; i < bounds.length; i++) {
    if (!(bounds[i] > bounds[i - 1])) throw new OtlpProblem(`${at}.explicitBounds: bounds must increase`);
  }
  return { bounds, counts };
}

/**
 * An exponential histogram in the same encoding as an explicit one: bucket index i covers
 * (base^i, base^(i+1)] with base = 2^(2^-scale); negative buckets mirror the positive ones and
 * the zero bucket is (-zero_threshold, zero_threshold].
 */
function exponentialBuckets(point: Record<string, unknown>, at: string): Buckets {
  const scale = typeof point.scale === 'number' ? point.scale : 0;
  if (!Number.isInteger(scale) || scale < -10 || scale > 20) throw new OtlpProblem(`${at}.scale: expected -10 to 20, got ${point.scale}`);
  const base = Math.pow(2, Math.pow(2, -scale));
  const side = (value: unknown, field: string) => {
    const b = readObject(value, field) ?? {};
    const offset = typeof b.offset === 'number' ? b.offset : 0;
    const counts = readList(b.bucketCounts, `${field}.bucketCounts`).map((c, i) => readCount(c, `${field}.bucketCounts[${i}]`));
    if (counts.length > MAX_BUCKETS) throw new OtlpProblem(`${field}.bucketCounts: more than ${MAX_BUCKETS} buckets`);
    return { offset, counts };
  };
  const pos = side(point.positive, `${at}.positive`);
  const neg = side(point.negative, `${at}.negative`);
  const zeroThreshold = point.zeroThreshold === undefined || point.zeroThreshold === null ? 0 : readDouble(point.zeroThreshold, `${at}.zeroThreshold`);
  const bounds: number[] = [];
  const counts: number[] = [];
  // Negative buckets, most negative first: bucket i covers [-base^(i+1), -base^i), upper bound -base^i.
  for (let i = neg.counts.length - 1; i >= 0; i--) {
    bounds.push(-Math.pow(base, neg.offset + i));
    counts.push(neg.counts[i]);
  }
  bounds.push(zeroThreshold);
  counts.push(readCount(point.zeroCount, `${at}.zeroCount`));
  for (let i = 0; i < pos.counts.length; i++) {
    bounds.push(Math.pow(base, pos.offset + i + 1));
    counts.push(pos.counts[i]);
  }
  counts.push(0); // nothing lies above the last positive bucket
  return { bounds, counts };
}

/** The attribute set as a key: the same attributes in any order give the same key. */
function canonical(attrs: Record<string, AttrValue>): string {
  return JSON.stringify(Object.keys(attrs).sort().map((k) => [k, attrs[k]]));
}
