// What the ownership commands (services, catalog, oncall, incidents) share: printing, --json,
// and the shapes of the API answers they show.
import type { Command } from 'commander';
import { clientOptions, type ClientOptions } from './client.js';

export type Opts = ClientOptions & { json?: boolean };

export const out = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
export const printJson = (v: unknown): void => out(JSON.stringify(v, null, 2));
export const withJson = (c: Command) => clientOptions(c).option('--json', 'print the JSON answer');

export interface IncidentRow {
  id: string;
  service: string;
  severity: string;
  state: string;
  title: string;
  opened_at: string;
  acknowledged_by: string | null;
  resolved_at: string | null;
  runbook?: string | null;
  timeline?: { at: string; kind: string; author: string; text: string }[];
  postmortem?: string | null;
}
