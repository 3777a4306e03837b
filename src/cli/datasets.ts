// `tend datasets list`: the environment's datasets with the retention each has now and the rule
// that gave it (tend.yaml's retention section, --retention-days, the audit log's own setting).
import type { Command } from 'commander';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { formatTable } from './table.js';

interface DatasetsAnswer {
  datasets: { name: string; created_at: string; retention_days: number | null; retention_rule: string }[];
  default_retention_days: number | null;
}

export function registerDatasets(program: Command): void {
  const datasets = program.command('datasets').description('Datasets of the environment and how long each is kept');
  clientOptions(datasets.command('list').description('List datasets with their retention (days; "for ever" when nothing is dropped)').option('--json', 'print JSON')).action(
    async (opts: ClientOptions & { json?: boolean }) => {
      const answer = await callApi<DatasetsAnswer>(opts, 'admin', 'GET', '/api/v1/datasets');
      if (opts.json) return void process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
      const days = (d: number | null) => (d === null ? 'for ever' : `${d}d`);
      const rows = answer.datasets.map((d) => [d.name, days(d.retention_days), d.retention_rule, d.created_at.slice(0, 10)]);
      process.stdout.write(formatTable(['DATASET', 'RETENTION', 'RULE', 'CREATED'], rows));
      process.stdout.write(`default retention: ${days(answer.default_retention_days)}\n`);
    },
  );
}
