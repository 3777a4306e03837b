import { describe, expect, it } from 'vitest';
import { parseAlertsFile } from './config.js';

const receivers = 'alerting:\n  receivers: [{ name: ops, webhook: { url: "https://hooks.example.com/${HOOK}" } }]\n';

describe('tend.yaml alerting and triggers', () => {
  it('takes ${NAME} from the environment', () => {
    const f = parseAlertsFile(`${receivers}  route: { receiver: ops }\n`, 'tend.yaml', { HOOK: 'abc' });
    expect(f.alerting.receivers[0].webhook![0].url).toBe('https://hooks.example.com/abc');
  });

  it('names the place of the first problem', () => {
    const bad = (text: string) => () => parseAlertsFile(text, 'tend.yaml', {});
    expect(bad(`${receivers}  route: { receiver: ops, routes: [{ receiver: ops }, { receiver: pager }] }\n`)).toThrow('tend.yaml: alerting.route.routes[1].receiver: no receiver named "pager" in alerting.receivers');
    expect(bad(`${receivers}  route: { receiver: ops, routes: [{ matchers: ['sev=critical"'] }] }\n`)).toThrow(/alerting\.route\.routes\[0\]\.matchers\[0\]: /);
    expect(bad(`${receivers}  route: { receiver: ops, group_wait: soon }\n`)).toThrow(/alerting\.route\.group_wait: expected a duration/);
    expect(bad('triggers:\n  - { name: t, query: { calculations: [{ op: COUNT }] }, threshold: { op: ">", value: 1 } }\n')).toThrow('tend.yaml: triggers[0].dataset: required in tend.yaml');
    expect(bad('triggers:\n  - { name: t, dataset: d, query: { calculations: [{ op: COUNT }] }, threshold: { op: "!=", value: 1 } }\n')).toThrow(/triggers\[0\]\.threshold\.op: /);
  });
});
