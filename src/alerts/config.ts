// tend.yaml's `alerting:` (receivers, route tree, inhibit rules, time intervals, SMTP) and
// `triggers:`, validated with zod. `${NAME}` anywhere in a string takes the value of the
// environment variable, so secrets stay out of the file.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fieldPath } from '../http/index.js';
import { parseDuration } from './duration.js';
import { MatcherError, parseMatchers } from './matchers.js';
import { TriggerInput } from './triggers/definition.js';
import { readConfigText } from '../config-file.js';

export class AlertsConfigError extends Error {}

const Duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, { message: 'expected a duration such as "30s", "5m" or "4h"' });
const MatcherList = z.array(
  z.string().superRefine((s, ctx) => {
    try {
      parseMatchers(s);
    } catch (err) {
      if (err instanceof MatcherError) ctx.addIssue({ code: 'custom', message: err.message });
      else throw err;
    }
  }),
);
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);
const Headers = z.record(z.string(), z.string()).default({});

export const WebhookConfig = z.strictObject({ url: z.url(), headers: Headers, secret: z.string().optional(), send_resolved: z.boolean().default(true), max_alerts: z.int().min(0).default(0) });
export const SlackConfig = z.strictObject({ url: z.url(), channel: z.string().optional(), username: z.string().optional(), send_resolved: z.boolean().default(true) });
/** alerting.smtp: what every email receiver uses unless it says otherwise. */
export const SmtpDefaults = z.strictObject({
  host: z.string().optional(),
  port: z.int().min(1).max(65535).optional(),
  tls: z.boolean().optional(),
  starttls: z.boolean().optional(),
  /** A PEM file of the certificate authority that signed the SMTP server's certificate (a private relay). */
  ca_file: z.string().min(1).optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  from: z.string().optional(),
});

/** SMTP settings on the receiver win over alerting.smtp. */
export const EmailConfig = SmtpDefaults.extend({ to: oneOrMany(z.string().min(3)), send_resolved: z.boolean().default(true) });
export const PagerDutyConfig = z.strictObject({ routing_key: z.string().min(1), url: z.url().default('https://events.pagerduty.com/v2/enqueue'), source: z.string().optional(), send_resolved: z.boolean().default(true) });
export const NtfyConfig = z.strictObject({ server: z.url().default('https://ntfy.sh'), topic: z.string().min(1), token: z.string().optional(), send_resolved: z.boolean().default(true) });
export const SmsConfig = z.strictObject({
  account_sid: z.string().min(1),
  auth_token: z.string().min(1),
  from: z.string().min(1),
  to: oneOrMany(z.string().min(1)),
  base_url: z.url().default('https://api.twilio.com'),
  send_resolved: z.boolean().default(true),
});

export const Receiver = z.strictObject({
  name: z.string().min(1),
  webhook: oneOrMany(WebhookConfig).optional(),
  slack: oneOrMany(SlackConfig).optional(),
  email: oneOrMany(EmailConfig).optional(),
  pagerduty: oneOrMany(PagerDutyConfig).optional(),
  ntfy: oneOrMany(NtfyConfig).optional(),
  sms: oneOrMany(SmsConfig).optional(),
});
export type Receiver = z.infer<typeof Receiver>;
export const RECEIVER_KINDS = ['webhook', 'slack', 'email', 'pagerduty', 'ntfy', 'sms'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

export interface RouteConfig {
  receiver?: string;
  group_by?: string[];
  continue?: boolean;
  matchers?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  group_wait?: string | number;
  group_interval?: string | number;
  repeat_interval?: string | number;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  /** Alerts this route takes open an incident on their service (src/ownership). */
  incident?: boolean;
  routes?: RouteConfig[];
}

export const RouteConfig: z.ZodType<RouteConfig> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().optional(),
    group_by: z.array(z.string()).optional(),
    continue: z.boolean().optional(),
    matchers: MatcherList.optional(),
    match: z.record(z.string(), z.string()).optional(),
    match_re: z.record(z.string(), z.string()).optional(),
    group_wait: Duration.optional(),
    group_interval: Duration.optional(),
    repeat_interval: Duration.optional(),
    mute_time_intervals: z.array(z.string()).optional(),
    active_time_intervals: z.array(z.string()).optional(),
    incident: z.boolean().optional(),
    routes: z.array(RouteConfig).optional(),
  }),
);

const Range = z.string().regex(/^[\w-]+(:[\w-]+)?$/, 'expected a value or a range such as "monday:friday" or "1:15"');
export const TimeInterval = z.strictObject({
  times: z.array(z.strictObject({ start_time: z.string().regex(/^\d\d:\d\d$/), end_time: z.string().regex(/^\d\d:\d\d$/) })).optional(),
  weekdays: z.array(Range).optional(),
  days_of_month: z.array(Range).optional(),
  months: z.array(Range).optional(),
  years: z.array(Range).optional(),
  location: z.string().optional(),
});
export type TimeInterval = z.infer<typeof TimeInterval>;
const NamedIntervals = z.array(z.strictObject({ name: z.string().min(1), time_intervals: z.array(TimeInterval) })).default([]);

export const InhibitRule = z.strictObject({ source_matchers: MatcherList.default([]), target_matchers: MatcherList.default([]), equal: z.array(z.string()).default([]) });
export type InhibitRule = z.infer<typeof InhibitRule>;

export const AlertingConfig = z.strictObject({
  resolve_timeout: Duration.default('5m'),
  external_url: z.string().optional(),
  smtp: SmtpDefaults.default({}),
  receivers: z.array(Receiver).default([]),
  route: RouteConfig.optional(),
  inhibit_rules: z.array(InhibitRule).default([]),
  time_intervals: NamedIntervals,
  mute_time_intervals: NamedIntervals,
});
export type AlertingConfig = z.infer<typeof AlertingConfig>;

const FileShape = z.object({
  environment: z.string().default('production'),
  alerting: z.unknown().optional(),
  triggers: z.array(z.unknown()).default([]),
});

export interface AlertsFile {
  environment: string;
  alerting: AlertingConfig;
  triggers: TriggerInput[];
}

/** `${NAME}` -> the environment's value (empty when unset), in every string of a parsed document. */
export function expandEnv(v: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof v === 'string') return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? '');
  if (Array.isArray(v)) return v.map((x) => expandEnv(x, env));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandEnv(x, env)]));
  return v;
}

function check<S extends z.ZodType>(schema: S, value: unknown, where: string, label: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = fieldPath(issue.path, '');
    throw new AlertsConfigError(`${label}: ${where}${path && !path.startsWith('[') ? '.' : ''}${path}: ${issue.message}`);
  }
  return r.data;
}

/** Parses a tend.yaml's alerting and triggers; throws AlertsConfigError naming the place of the first problem. */
export function parseAlertsFile(text: string, label = 'tend.yaml', env: NodeJS.ProcessEnv = process.env): AlertsFile {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    throw new AlertsConfigError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const shape = check(FileShape, doc, 'tend.yaml', label);
  const alerting = check(AlertingConfig, expandEnv(shape.alerting ?? {}, env), 'alerting', label);
  const names = new Set(alerting.receivers.map((r) => r.name));
  if (names.size !== alerting.receivers.length) throw new AlertsConfigError(`${label}: alerting.receivers: a receiver name is declared twice`);
  const intervals = new Set([...alerting.time_intervals, ...alerting.mute_time_intervals].map((t) => t.name));
  const walk = (r: RouteConfig, where: string) => {
    if (r.receiver !== undefined && !names.has(r.receiver)) throw new AlertsConfigError(`${label}: ${where}.receiver: no receiver named "${r.receiver}" in alerting.receivers`);
    for (const t of [...(r.mute_time_intervals ?? []), ...(r.active_time_intervals ?? [])]) {
      if (!intervals.has(t)) throw new AlertsConfigError(`${label}: ${where}: no time interval named "${t}"`);
    }
    r.routes?.forEach((c, i) => walk(c, `${where}.routes[${i}]`));
  };
  if (alerting.route) {
    if (!alerting.route.receiver) throw new AlertsConfigError(`${label}: alerting.route.receiver: the root route needs a receiver`);
    walk(alerting.route, 'alerting.route');
  }
  const triggers = shape.triggers.map((t, i) => check(TriggerInput, expandEnv(t, env), `triggers[${i}]`, label));
  const tnames = new Set<string>();
  triggers.forEach((t, i) => {
    if (tnames.has(t.name)) throw new AlertsConfigError(`${label}: triggers[${i}].name: "${t.name}" is declared twice`);
    tnames.add(t.name);
    if (!t.dataset) throw new AlertsConfigError(`${label}: triggers[${i}].dataset: required in tend.yaml`);
  });
  return { environment: shape.environment, alerting, triggers };
}

/** Reads the file; undefined when it does not exist and `optional`. */
export function readAlertsFile(file: string, optional: boolean, env: NodeJS.ProcessEnv = process.env): AlertsFile | undefined {
  const text = readConfigText(file, optional);
  if (text === undefined) return undefined;
  return parseAlertsFile(text, file, env);
}
