// One zod schema per check kind: the single source of truth for tend.yaml entries and for
// /api/v1/checks bodies. A definition keeps durations as written ("30s"), so it reads back
// and compares as the user wrote it; the runner and scheduler convert with ms() where they
// need milliseconds.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const CHECK_KINDS = ['http', 'tcp', 'tls', 'dns', 'heartbeat'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Names are used in URLs, badges and events, so they are kept URL-safe. */
export const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const Duration = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, {
  message: 'expected a duration such as "500ms", "30s", "5m", "1h" or "1d"',
});

export function timezoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone "${tz}" (use an IANA name such as Europe/London)`;
  }
}

export function cronProblem(expr: string, tz?: string): string | undefined {
  try {
    CronExpressionParser.parse(expr, { tz });
    return undefined;
  } catch (err) {
    return `invalid cron expression "${expr}": ${(err as Error).message}`;
  }
}

const Timezone = z.string().superRefine((tz, ctx) => {
  const problem = timezoneProblem(tz);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const Cron = z.string().superRefine((expr, ctx) => {
  const problem = cronProblem(expr);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 time' });

/** A one-off window (from..to) or a recurring one (cron + tz, lasting `duration`). */
export const MaintenanceWindow = z.union([
  z.strictObject({ from: IsoTime, to: IsoTime }),
  z.strictObject({ cron: Cron, tz: Timezone.default('UTC'), duration: Duration }),
]);

const common = {
  name: z.string().regex(CHECK_NAME, 'letters, digits, "-", "_" and "." only, starting with a letter or digit, at most 100'),
  description: z.string().max(1000).optional(),
  interval: Duration.default('60s'),
  timeout: Duration.default('10s'),
  failures_before_down: z.int().min(1).max(1000).default(1),
  successes_before_up: z.int().min(1).max(1000).default(1),
  paused: z.boolean().default(false),
  maintenance: z.array(MaintenanceWindow).max(100).default([]),
  /** Labels of the alert the check raises when it goes down (docs/alerts.md). */
  labels: z.record(z.string(), z.string()).default({}),
};

const HttpExpect = z.strictObject({
  status: z.array(z.int().min(100).max(599)).min(1).optional(),
  max_latency_ms: z.number().positive().optional(),
  body_contains: z.string().optional(),
  body_matches: z
    .string()
    .refine((re) => {
      try {
        new RegExp(re);
        return true;
      } catch {
        return false;
      }
    }, 'expected a valid regular expression')
    .optional(),
  json_path: z.strictObject({ path: z.string().min(1), equals: z.unknown() }).optional(),
  cert_days_left_min: z.number().min(0).optional(),
});

const HttpCheck = z.strictObject({
  ...common,
  kind: z.literal('http'),
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().max(1_000_000).optional(),
  follow_redirects: z.boolean().default(true),
  insecure_skip_verify: z.boolean().default(false),
  ca_file: z.string().optional(),
  expect: HttpExpect.default({}),
});

const Port = z.int().min(1).max(65535);

const TcpCheck = z.strictObject({
  ...common,
  kind: z.literal('tcp'),
  host: z.string().min(1),
  port: Port,
  send: z.string().optional(),
  expect: z.strictObject({ contains: z.string().optional() }).default({}),
});

const TlsCheck = z.strictObject({
  ...common,
  kind: z.literal('tls'),
  host: z.string().min(1),
  port: Port.default(443),
  servername: z.string().optional(),
  ca_file: z.string().optional(),
  expect: z.strictObject({ min_days_left: z.number().min(0).default(0) }).default({ min_days_left: 0 }),
});

const DnsCheck = z.strictObject({
  ...common,
  kind: z.literal('dns'),
  host: z.string().min(1),
  record_type: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS']).default('A'),
  server: z.string().regex(/^[^\s:]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/, 'expected host or host:port').optional(),
  expect: z.strictObject({ values: z.array(z.string()).optional(), contains: z.string().optional() }).default({}),
});

const HeartbeatCheck = z
  .strictObject({
    ...common,
    kind: z.literal('heartbeat'),
    uuid: z.uuid().transform((u) => u.toLowerCase()).optional(),
    period: Duration.optional(),
    grace: Duration.default('1h'),
    cron: Cron.optional(),
    tz: Timezone.default('UTC'),
    min_duration: Duration.optional(),
    max_duration: Duration.optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.period === undefined) === (c.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['period'], message: 'a heartbeat needs either period or cron (not both)' });
    }
  });

export const CheckDefinition = z.discriminatedUnion('kind', [HttpCheck, TcpCheck, TlsCheck, DnsCheck, HeartbeatCheck], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected one of ${CHECK_KINDS.join(', ')}` : undefined),
});
export type CheckDefinition = z.infer<typeof CheckDefinition>;
export type HttpDefinition = z.infer<typeof HttpCheck>;
export type TcpDefinition = z.infer<typeof TcpCheck>;
export type TlsDefinition = z.infer<typeof TlsCheck>;
export type DnsDefinition = z.infer<typeof DnsCheck>;
export type HeartbeatDefinition = z.infer<typeof HeartbeatCheck>;
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

/** Milliseconds of a duration the schema has already validated (hence the non-null assertion). */
export const ms = (d: string | number): number => parseDuration(d)!;

/** "field.path: message" for the first problem, as every Tend error names the field. */
export function firstIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  return `${path || 'body'}: ${issue.message}`;
}

export type ParseResult = { ok: true; check: CheckDefinition } | { ok: false; problem: string };

export function parseCheck(input: unknown, prefix = ''): ParseResult {
  const parsed = CheckDefinition.safeParse(input);
  if (!parsed.success) return { ok: false, problem: firstIssue(parsed.error, prefix) };
  const check = parsed.data;
  if (check.kind === 'heartbeat' && check.cron) {
    const problem = cronProblem(check.cron, check.tz);
    if (problem) return { ok: false, problem: `${prefix ? prefix + '.' : ''}cron: ${problem}` };
  }
  return { ok: true, check };
}

/** What a check is watching, as written into every result event. */
export function targetOf(check: CheckDefinition): string {
  switch (check.kind) {
    case 'http':
      return check.url;
    case 'tcp':
    case 'tls':
      return `${check.host}:${check.port}`;
    case 'dns':
      return `${check.host} ${check.record_type}${check.server ? ` @${check.server}` : ''}`;
    case 'heartbeat':
      return check.uuid ?? '';
  }
}
