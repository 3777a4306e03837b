// Per-dataset field settings (tend.yaml `datasets:`): which column holds the endpoint, the
// customer, the build and the latency, and what makes an event an error. Shared by deploy
// reports, customer pages and capacity.
import type { ConfigReload } from '../config-file.js';
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
 * other sections of tend.yaml do. A reload reads the section again: every node applies it, from
 * its own copy of the file (deploy reports, customer pages and capacity ask at each request).
 */
export async function loadDatasetFields(
  configFile: string, configFileNamed: boolean, ensureEnvironment: (name: string) => Promise<{ id: string }>, reload?: ConfigReload,
): Promise<DatasetFieldsOf> {
  const read = () => readDatasetFieldsFile(configFile, configFileNamed);
  let current: DatasetFieldsOf;
  const apply = async (file: DatasetFieldsFile) => {
    current = datasetFieldsFrom(file, (await ensureEnvironment(file.environment)).id);
  };
  await apply(read());
  reload?.register({ name: 'datasets', read, apply });
  return (envId, dataset, columns) => current(envId, dataset, columns);
}
