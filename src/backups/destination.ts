// Where backups go: a local folder (any mounted disk) or s3://bucket/prefix. Both hold the
// same tree of files under DEST; paths here are always relative to DEST, with "/" separators.
import { LocalDestination } from './local-destination.js';
import { S3Destination } from './s3-destination.js';

export interface Destination {
  /** What to print: the folder, or s3://bucket/prefix (never credentials). */
  readonly label: string;
  /** A local folder for files on their way in or out: beside DEST for a folder (renames are free there), a temp folder for S3. */
  staging(): Promise<string>;
  /** Moves a finished local file to `rel` (the local file is gone afterwards). */
  commit(localFile: string, rel: string): Promise<void>;
  /** A local path holding the content of `rel`: the file itself for a folder (nothing is written to DEST), a download for S3. */
  fetch(rel: string): Promise<string>;
  /** Every file under `prefix` (a folder path ending in "/"), with its size. */
  list(prefix: string): Promise<{ path: string; bytes: number }[]>;
  readText(rel: string): Promise<string | undefined>;
  writeText(rel: string, text: string): Promise<void>;
  remove(rels: string[]): Promise<void>;
  /** Removes the staging folder. */
  close(): Promise<void>;
}

export function isS3(dest: string): boolean {
  return dest.startsWith('s3://');
}

/** The destination DEST names; S3 settings come from the usual AWS environment variables. */
export function openDestination(dest: string, env: NodeJS.ProcessEnv = process.env): Destination {
  return isS3(dest) ? S3Destination.parse(dest, env) : new LocalDestination(dest);
}

/** `dest` with a folder (or S3 prefix) `name` under it. */
export function destUnder(dest: string, name: string): string {
  return `${dest.replace(/\/+$/, '')}/${name}`;
}
