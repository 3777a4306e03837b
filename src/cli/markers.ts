// `tend markers add|list|delete DATASET`: Honeycomb-style markers on a running server
// (`__all__` for environment-wide ones), e.g. from a deploy script:
//   tend markers add api --type deploy --message "build 1234" --link https://ci/1234
import type { Command } from 'commander';
import type { Marker } from '../markers/index.js';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { formatTable } from './table.js';
import { parseTimeArg } from './time-arg.js';

interface AddOptions extends ClientOptions {
  type?: string;
  message?: string;
  link?: string;
  start?: string;
  end?: string;
}

const route = (dataset: string, id?: string) => `/1/markers/${encodeURIComponent(dataset)}${id ? `/${encodeURIComponent(id)}` : ''}`;

function printMarkers(markers: Marker[]): void {
  const when = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  const rows = markers.map((m) => [m.id, when(m.start_time), m.end_time === undefined ? '' : when(m.end_time), m.type ?? '', m.message ?? '', m.url ?? '']);
  process.stdout.write(formatTable(['ID', 'START', 'END', 'TYPE', 'MESSAGE', 'URL'], rows));
}

export function registerMarkers(program: Command): void {
  const markers = program.command('markers').description('Mark deploys, config changes and incidents on charts (Honeycomb Markers API)');

  clientOptions(
    markers
      .command('add <dataset>')
      .description('Add a marker to DATASET (or __all__ for every dataset of the environment)')
      .option('--type <type>', 'groups similar markers, e.g. deploy')
      .option('--message <text>', 'what happened, e.g. "build 1234"')
      // --url is taken by the server's address (clientOptions), so the marker's link is --link.
      .option('--link <url>', "the marker's url: a link to the build, change or incident")
      .option('--start <time>', 'Unix seconds, RFC3339, now or -10m (default now)')
      .option('--end <time>', 'end of a marker that spans time, same forms as --start'),
  ).action(async (dataset: string, opts: AddOptions) => {
    const body = {
      type: opts.type,
      message: opts.message,
      url: opts.link,
      start_time: opts.start === undefined ? undefined : parseTimeArg(opts.start, '--start'),
      end_time: opts.end === undefined ? undefined : parseTimeArg(opts.end, '--end'),
    };
    const created = await callApi<Marker>(opts, 'ingest', 'POST', route(dataset), body);
    process.stdout.write(`${created.id}\n`);
  });

  clientOptions(markers.command('list <dataset>').description('List the markers of DATASET (or __all__)').option('--json', 'print JSON')).action(
    async (dataset: string, opts: ClientOptions & { json?: boolean }) => {
      const list = await callApi<Marker[]>(opts, 'ingest', 'GET', route(dataset));
      if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else printMarkers(list);
    },
  );

  clientOptions(markers.command('delete <dataset> <id>').description('Delete a marker')).action(async (dataset: string, id: string, opts: ClientOptions) => {
    await callApi(opts, 'ingest', 'DELETE', route(dataset, id));
    process.stdout.write(`deleted ${id}\n`);
  });
}
