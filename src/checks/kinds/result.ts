// What one run of a check found. `error` names the failure in words a person can act on.
export interface CheckResult {
  ok: boolean;
  durationMs: number;
  error?: string;
  httpStatus?: number;
  certDaysLeft?: number;
}

export const elapsedSince = (started: number): number => Math.round((performance.now() - started) * 1000) / 1000;

export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && !String(e.message).includes(e.code)) return `${e.code}: ${e.message}`;
  return e?.message ?? String(err);
}

/** Whole days (rounded down) from now until a certificate's `valid_to`. */
export function daysUntil(validTo: string, now = Date.now()): number {
  return Math.floor((Date.parse(validTo) - now) / 86_400_000);
}
