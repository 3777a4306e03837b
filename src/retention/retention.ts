// Retention for every dataset of every environment, one rule: an override a capability keeps
// for one of its datasets (owners set the audit log's through /api/v1/audit/settings), else
// tend.yaml's rules (policy.ts). The sweep drops whole day partitions older than each
// dataset's retention, never part of a day, at start and then hourly.
import type { DatasetRegistry, Environment, EventStore } from '../store/index.js';
import type { EffectiveRetention, RetentionPolicy } from './policy.js';

const DAY_MS = 86_400_000;

/** Days another capability keeps a dataset of its own for, or null to follow the rules. */
export type RetentionOverride = (envId: string, dataset: string) => Promise<{ days: number; rule: string } | null>;

export interface RetentionDeps {
  store: EventStore;
  datasets: DatasetRegistry;
  environments(): Promise<Environment[]>;
  override: RetentionOverride;
  /** Forgets trace index entries that end before this time. */
  pruneTraces(beforeUs: number): Promise<void>;
}

export class Retention {
  constructor(
    /** tend.yaml's rules as last applied: replaced by a reload. */
    public policy: RetentionPolicy,
    private readonly deps: RetentionDeps,
  ) {}

  async of(envId: string, dataset: string): Promise<EffectiveRetention> {
    return (await this.deps.override(envId, dataset)) ?? this.policy.of(dataset);
  }

  /** Drops every partition past its dataset's retention; returns how many dataset-days went. */
  async sweep(nowMs = Date.now()): Promise<number> {
    // Datasets grouped by their days, so the store is asked once per distinct retention.
    const byDays = new Map<number, Set<string>>();
    let longest = 0;
    for (const env of await this.deps.environments()) {
      for (const d of await this.deps.datasets.list(env.id)) {
        const { days } = await this.of(env.id, d.name);
        longest = Math.max(longest, days === 0 ? Infinity : days);
        if (days > 0) byDays.set(days, (byDays.get(days) ?? new Set()).add(d.id));
      }
    }
    let dropped = 0;
    for (const [days, ids] of byDays) dropped += await this.deps.store.dropBefore(cutoffUs(nowMs, days), (id) => ids.has(id));
    // A trace may span datasets: its index entry goes once the longest-kept of them is gone.
    if (longest > 0 && Number.isFinite(longest)) await this.deps.pruneTraces(cutoffUs(nowMs, longest));
    return dropped;
  }
}

const cutoffUs = (nowMs: number, days: number) => (nowMs - days * DAY_MS) * 1000;
