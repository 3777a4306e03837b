// A check result in the snake_case names the API and the events use.
import type { CheckResult } from './kinds/index.js';

export function formatResult(r: CheckResult) {
  return { ok: r.ok, duration_ms: r.durationMs, error: r.error, http_status_code: r.httpStatus, tls_cert_days_left: r.certDaysLeft };
}
