// deploy/tend.service, the systemd unit docs/operations.md ships: systemd-analyze accepts it, and
// `tend serve` run with the unit's environment starts, and stops cleanly (exit 0) on the unit's
// KillSignal well within its TimeoutStopSec.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, spawnTend, tempDataDir } from './support/tend.js';

const unitText = fs.readFileSync(path.join(repoRoot, 'deploy/tend.service'), 'utf8');
const settings = (key: string) => [...unitText.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);

describe('deploy/tend.service', () => {
  it('passes systemd-analyze verify', () => {
    // The binary the unit names is where `npm install -g` puts it; here, the built CLI stands in.
    const dir = tempDataDir('tend-unit');
    const unit = path.join(dir, 'tend.service');
    fs.writeFileSync(unit, unitText.replace(/^ExecStart=\S+ serve$/m, `ExecStart=${process.execPath} ${cliPath} serve`));
    expect(unitText).toMatch(/^ExecStart=\/usr\/local\/bin\/tend serve$/m);
    execFileSync('systemd-analyze', ['verify', unit], { stdio: 'pipe' });
  });

  it("runs tend serve with the unit's environment and stops cleanly on its KillSignal", async () => {
    const env = Object.fromEntries(settings('Environment').map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(env).toMatchObject({ TEND_DATA: '/var/lib/tend', TEND_CONFIG: '/etc/tend/tend.yaml', TEND_HOST: '0.0.0.0' });
    expect(settings('StateDirectory')).toEqual(['tend']);
    const [signal] = settings('KillSignal') as NodeJS.Signals[];
    const stopSeconds = Number(settings('TimeoutStopSec')[0]);
    // The same settings, with this machine's folders and address.
    const dir = tempDataDir('tend-unit-run');
    fs.writeFileSync(path.join(dir, 'tend.yaml'), '');
    const tend = await spawnTend(path.join(dir, 'data'), 0, { ...env, TEND_DATA: path.join(dir, 'data'), TEND_CONFIG: path.join(dir, 'tend.yaml'), TEND_HOST: '127.0.0.1', TEND_GRPC_PORT: 'off' });
    expect((await fetch(`${tend.url}/readyz`)).status).toBe(200);
    const started = Date.now();
    tend.child.kill(signal);
    expect(await tend.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(stopSeconds * 1000);
    expect(fs.existsSync(path.join(dir, 'data', 'server.json'))).toBe(false);
  }, 60_000);
});
