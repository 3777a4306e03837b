#!/usr/bin/env node
// The `tend` command. Each subcommand lives in its own file and registers itself here.
import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * The file that registers each command, loaded only when that command runs: commands pull in
 * what they need (the server, DuckDB, the AWS SDK...), and loading every command's code cost
 * each run about a second before it did anything. `tend --help`, `--version` and a name that
 * is no command load them all. Files that register several commands appear once per name.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./serve.js')).registerServe,
  keys: async () => (await import('./keys.js')).registerKeys,
  send: async () => (await import('./send.js')).registerSend,
  markers: async () => (await import('./markers.js')).registerMarkers,
  query: async () => (await import('./query.js')).registerQuery,
  checks: async () => (await import('./checks.js')).registerChecks,
  alerts: async () => (await import('./alerts.js')).registerAlerts,
  triggers: async () => (await import('./alerts.js')).registerAlerts,
  slo: async () => (await import('./slo.js')).registerSlo,
  login: async () => (await import('./login.js')).registerLogin,
  logout: async () => (await import('./login.js')).registerLogin,
  users: async () => (await import('./users.js')).registerUsers,
  services: async () => (await import('./services.js')).registerServices,
  catalog: async () => (await import('./catalog.js')).registerCatalog,
  oncall: async () => (await import('./oncall.js')).registerOncall,
  'recent-queries': async () => (await import('./recent-queries.js')).registerRecentQueries,
  incidents: async () => (await import('./incidents.js')).registerIncidents,
  customer: async () => (await import('./customers.js')).registerCustomers,
  customers: async () => (await import('./customers.js')).registerCustomers,
  capacity: async () => (await import('./capacity.js')).registerCapacity,
  deploy: async () => (await import('./deploys.js')).registerDeploys,
  deploys: async () => (await import('./deploys.js')).registerDeploys,
  backup: async () => (await import('./backup.js')).registerBackup,
  restore: async () => (await import('./backup.js')).registerRestore,
  datasets: async () => (await import('./datasets.js')).registerDatasets,
  cluster: async () => (await import('./cluster.js')).registerCluster,
  migrate: async () => (await import('./migrate.js')).registerMigrate,
};

async function main(): Promise<void> {
  const program = new Command();
  program
    .name('tend')
    .description('Tend: production operations for teams who own their code in production.\nDocs: README.md and docs/ in the Tend source')
    .version('0.1.0');
  const named = COMMANDS[process.argv[2]];
  const registers = named ? [await named()] : await Promise.all(Object.values(COMMANDS).map((load) => load()));
  // A file named twice (alerts and triggers) registers its commands once.
  for (const register of new Set(registers)) register(program);
  await program.parseAsync(process.argv);
}

main().catch((err: Error) => {
  process.stderr.write(`tend: ${err.message}\n`);
  process.exit(1);
});
