// Running the built `tend` command as a real process, with the machine's own TEND_ settings removed.
import { spawn } from 'node:child_process';
import { cliPath } from './tend.js';

/** The environment with every TEND_ setting of the machine running the tests removed. */
export const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEND_')));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTend(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...cleanEnv, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
