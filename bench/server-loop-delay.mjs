// Preloaded into a `tend serve` under a benchmark (NODE_OPTIONS=--import <this file>): records
// the server's own event-loop delay, which is what a health probe waits for on top of the
// kernel. Each SIGUSR2 appends what was recorded since the last one to $TEND_LOOP_DELAY_FILE as
// one JSON line (milliseconds) and starts again, so a benchmark signals once before its flood
// and once after it.
import fs from 'node:fs';
import process from 'node:process';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.TEND_LOOP_DELAY_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => Math.round(ns / 1e5) / 10;
    fs.appendFileSync(file, JSON.stringify({ p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) }) + '\n');
    delay.reset();
  });
}
