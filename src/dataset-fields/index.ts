// Per-dataset field settings (tend.yaml `datasets:`): which column holds the endpoint, the
// customer, the build and the latency, and what makes an event an error. Shared by deploy
// reports, customer pages and capacity.
import { readDatasetFieldsFile, type DatasetFieldsFile } from './config.js';
import { resolveDatasetFields, type DatasetFields } from './fields.js';

export { DatasetFieldsError, parseDatasetFieldsFile, readDatasetFieldsFile, type DatasetFieldsFile } from './config.js';
export { resolveDatasetFields, columnRef, DEFAULT_FIELDS, type DatasetFields, type DeclaredFields } from './fields.js';

/** The fields of `dataset` in environment `envId`, given the dataset's column names. */
export type DatasetFieldsOf = (envId: string, dataset: string, columns: Iterable<string>) => DatasetFields;

/** The lookup for a parsed file whose `environment:` has the id `fileEnvId`; other environments get the defaults. */
export function datasetFieldsFrom(file: DatasetFieldsFile, fileEnvId: string): DatasetFieldsOf {
  return (envId, dataset, columns) =>
    resolveDatasetFields(envId === fileEnvId ? file.datasets.get(dataset.toLowerCase()) : undefined, columns);
}

/**
 * Reads tend.yaml (the server's --config) and answers `datasetFields(envId, dataset, columns)`.
 * `ensureEnvironment` is AuthService's: the file's `environment:` is made when missing, as the
 * other sections of tend.yaml do.
 */
export async function loadDatasetFields(
  configFile: string, configFileNamed: boolean, ensureEnvironment: (name: string) => Promise<{ id: string }>,
): Promise<DatasetFieldsOf> {
  const file = readDatasetFieldsFile(configFile, configFileNamed);
  const env = await ensureEnvironment(file.environment);
  return datasetFieldsFrom(file, env.id);
}
