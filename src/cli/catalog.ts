// `tend catalog import FILE...`: reads Backstage catalog-info.yaml files and prints the
// equivalent `teams:` and `services:` for tend.yaml; --apply also adds them to the running
// server's catalog (marked as imported).
import fs from 'node:fs';
import type { Command } from 'commander';
import { parseBackstage, toTendYaml } from '../ownership/index.js';
import { callApi } from './client.js';
import { out, printJson, withJson, type Opts } from './ownership-print.js';

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('The service catalog: import Backstage files');
  withJson(catalog.command('import').description('Print Backstage catalog files as tend.yaml teams: and services: (--apply adds them to the server)').argument('<files...>'))
    .option('--apply', 'also add them to the running server\'s catalog')
    .action(async (files: string[], opts: Opts & { apply?: boolean }) => {
      const read = files.map((name) => ({ name, text: fs.readFileSync(name, 'utf8') }));
      const parsed = parseBackstage(read);
      const applied = opts.apply ? await callApi<{ added: string[]; skipped: string[]; notes: string[] }>(opts, 'admin', 'POST', '/api/v1/catalog/import', { files: read }) : undefined;
      if (opts.json) return printJson({ teams: parsed.teams, services: parsed.services, notes: parsed.notes, ...(applied ? { applied } : {}) });
      out(toTendYaml(parsed));
      for (const n of parsed.notes) process.stderr.write(`note: ${n}\n`);
      if (applied) process.stderr.write(`applied: ${applied.added.length} added${applied.skipped.length ? `, skipped ${applied.skipped.join(', ')}` : ''}\n`);
    });
}
