// A data folder short of space is an alert in every environment (each loses its event writes):
// alertname TendDiskLow, source "tend", raised when writes start being refused and resolved
// when they are accepted again. Routed and delivered like any other alert (tend.yaml alerting).
import type { Environment } from '../store/index.js';
import type { DiskListener } from './disk-watch.js';

type Labels = Record<string, string>;

/** The part of the alert service this needs (src/alerts AlertService). */
export interface AlertSink {
  report(env: Environment, source: 'tend', reports: { labels: Labels; annotations?: Labels; endsAt?: number }[]): Promise<unknown>;
}

const DISK_ALERT = 'TendDiskLow';

export function diskAlerts(alerts: AlertSink, environments: () => Promise<Environment[]>, dir: string, log: { error(obj: object, msg: string): void }): DiskListener {
  return (state, problem) => {
    const raise = async () => {
      for (const env of await environments()) {
        const labels = { alertname: DISK_ALERT, source: 'tend', severity: 'critical', environment: env.slug };
        const annotations = {
          summary: problem ? `Tend refuses event writes: ${problem}` : 'Tend accepts event writes again',
          description: `data folder ${dir}: ${state.freeBytes} bytes free of ${state.totalBytes}; minimum ${state.minFreeBytes}`,
        };
        await alerts.report(env, 'tend', [{ labels, annotations, endsAt: problem ? undefined : Date.now() }]);
      }
    };
    raise().catch((err) => log.error({ err }, 'could not raise the disk alert'));
  };
}
