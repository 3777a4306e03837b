import { describe, expect, it } from 'vitest';
import { datasetFieldsFrom, DatasetFieldsError, DEFAULT_FIELDS, parseDatasetFieldsFile, resolveDatasetFields } from './index.js';

describe('dataset fields', () => {
  it('defaults to endpoint, customer_id, build_id, duration_ms and status >= 500', () => {
    expect(resolveDatasetFields(undefined, ['endpoint', 'status_code'])).toEqual({
      endpoint_field: 'endpoint', customer_field: 'customer_id', build_field: 'build_id', duration_field: 'duration_ms', error: 'GTE($status_code, 500)',
    });
    expect(resolveDatasetFields(undefined, [])).toEqual(DEFAULT_FIELDS);
  });

  it("recognises OpenTelemetry's names when the dataset has them instead", () => {
    const f = resolveDatasetFields(undefined, ['http.route', 'service.version', 'http.response.status_code', 'duration_ms']);
    expect(f).toMatchObject({ endpoint_field: 'http.route', build_field: 'service.version', error: 'GTE($http.response.status_code, 500)' });
    // Both present: the default name wins.
    expect(resolveDatasetFields(undefined, ['endpoint', 'http.route']).endpoint_field).toBe('endpoint');
  });

  it('takes what tend.yaml declares, per environment and case-insensitively', () => {
    const file = parseDatasetFieldsFile(`
environment: staging
datasets:
  Checkout: {endpoint_field: route, error: 'EQUALS($outcome, "failed")'}
`);
    const of = datasetFieldsFrom(file, 'env-staging');
    expect(of('env-staging', 'checkout', ['http.route'])).toMatchObject({ endpoint_field: 'route', customer_field: 'customer_id', error: 'EQUALS($outcome, "failed")' });
    expect(of('env-prod', 'checkout', ['http.route']).endpoint_field).toBe('http.route');
  });

  it('names the place of a problem', () => {
    expect(() => parseDatasetFieldsFile('datasets: {a: {endpoint: x}}')).toThrow(DatasetFieldsError);
    expect(() => parseDatasetFieldsFile('datasets: {a: {endpoint: x}}')).toThrow(/datasets\.a/);
    expect(() => parseDatasetFieldsFile('datasets: {a: {error: "GTE($s, "}}')).toThrow(/datasets\.a\.error/);
    expect(() => parseDatasetFieldsFile('datasets: {A: {}, a: {}}')).toThrow(/declared twice/);
  });
});
