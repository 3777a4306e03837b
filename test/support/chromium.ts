// Debian's chromium driven by playwright-core (scripts/ensure-test-tools.sh installs it; no
// browser is ever downloaded). TEND_CHROMIUM names another binary.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.TEND_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
