#!/usr/bin/env node
// The `tend` command. Each subcommand lives in its own file and registers itself here.
import { Command } from 'commander';
import { registerServe } from './serve.js';
import { registerKeys } from './keys.js';
import { registerSend } from './send.js';
import { registerMarkers } from './markers.js';
import { registerQuery } from './query.js';
import { registerChecks } from './checks.js';
import { registerAlerts } from './alerts.js';
import { registerSlo } from './slo.js';
import { registerLogin } from './login.js';
import { registerUsers } from './users.js';
import { registerServices } from './services.js';
import { registerCatalog } from './catalog.js';
import { registerOncall } from './oncall.js';
import { registerRecentQueries } from './recent-queries.js';
import { registerIncidents } from './incidents.js';
import { registerCustomers } from './customers.js';
import { registerCapacity } from './capacity.js';
import { registerDeploys } from './deploys.js';
import { registerBackup, registerRestore } from './backup.js';
import { registerDatasets } from './datasets.js';
import { registerCluster } from './cluster.js';
import { registerMigrate } from './migrate.js';

const program = new Command();
program
  .name('tend')
  .description('Tend: production operations for teams who own their code in production.\nDocs: README.md and docs/ in the Tend source')
  .version('0.1.0');

registerServe(program);
registerKeys(program);
registerSend(program);
registerMarkers(program);
registerQuery(program);
registerChecks(program);
registerAlerts(program);
registerSlo(program);
registerLogin(program);
registerUsers(program);
registerServices(program);
registerCatalog(program);
registerOncall(program);
registerRecentQueries(program);
registerIncidents(program);
registerCustomers(program);
registerCapacity(program);
registerDeploys(program);
registerBackup(program);
registerRestore(program);
registerDatasets(program);
registerCluster(program);
registerMigrate(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`tend: ${err.message}\n`);
  process.exit(1);
});
