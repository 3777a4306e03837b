// Incidents: opened from alerts of a service (or declared by a person), joined by later alerts
// of the same service and alert group, moved through their states by people, with a timeline
// that fills itself (alerts firing and resolving, check state changes, acknowledgements,
// escalations, notes, state and severity changes). Every change is stored, then written as an
// event in tend.incidents, then told to listeners (escalation, the handoff rule).
import crypto from 'node:crypto';
import type { Environment, FieldValue, StoredEvent } from '../../store/index.js';
import { Serial } from '../../store/index.js';
import type { Severity } from '../config.js';
import type { IncidentFilter, IncidentStore } from './incident-store.js';
import { postmortemTemplate, type Incident, type IncidentState, type TimelineEntry } from './model.js';

export const INCIDENTS_DATASET = 'tend.incidents';

export type EventWriter = (env: Environment, dataset: string, events: StoredEvent[]) => Promise<void>;
/** Awaited after each change, so an acknowledgement has stopped the paging when its request answers. */
export type IncidentListener = (env: Environment, incident: Incident, previous: IncidentState | undefined) => Promise<void>;

export interface IncidentChange {
  state?: Exclude<IncidentState, 'triggered'>;
  severity?: Severity;
  title?: string;
  postmortem?: string;
}

export interface OpenRequest {
  service: string;
  severity: Severity;
  title: string;
  groupKey: string;
  fingerprint?: string;
  alertName?: string;
  author: string;
  text: string;
}

export class IncidentError extends Error {}

const ORDER: IncidentState[] = ['triggered', 'acknowledged', 'mitigated', 'resolved'];

export class IncidentService {
  private readonly listeners: IncidentListener[] = [];
  // One change at a time on this node: two alerts of one group arriving together open one incident.
  private readonly serial = new Serial();
  private seq = 0;

  constructor(
    private readonly store: IncidentStore,
    private readonly write: EventWriter,
    private readonly log: { error(obj: object, msg: string): void },
    private readonly now: () => number = Date.now,
  ) {}

  onChange(l: IncidentListener): void {
    this.listeners.push(l);
  }

  get(envId: string, id: string): Promise<Incident | undefined> {
    return this.store.get(envId, id);
  }

  list(envId: string, f: IncidentFilter = {}): Promise<Incident[]> {
    return this.store.list(envId, f);
  }

  timeline(id: string): Promise<TimelineEntry[]> {
    return this.store.timeline(id);
  }

  openedSince(envId: string, service: string, sinceMs: number): Promise<Incident[]> {
    return this.store.openedSince(envId, service, sinceMs);
  }

  private entry(kind: string, author: string, text: string, at = this.now()) {
    // Ordered by time, then by the order this node made them.
    const id = `${String(at).padStart(15, '0')}-${String(this.seq++).padStart(9, '0')}-${crypto.randomBytes(4).toString('hex')}`;
    return { id, at, kind, author, text };
  }

  private async commit(env: Environment, i: Incident, previous: IncidentState | undefined, entries: ReturnType<IncidentService['entry']>[]): Promise<void> {
    await this.store.save(i, entries);
    const events = entries.map((e) => this.event(i, previous, e));
    await this.write(env, INCIDENTS_DATASET, events).catch((err) => this.log.error({ err }, 'could not write incident events'));
    for (const l of this.listeners) await l(env, i, previous).catch((err) => this.log.error({ err, incident: i.id }, 'incident listener failed'));
  }

  private event(i: Incident, previous: IncidentState | undefined, e: TimelineEntry): StoredEvent {
    const fields: Record<string, FieldValue> = {
      'incident.id': i.id, service: i.service, severity: i.severity, state: i.state, title: i.title, kind: e.kind, actor: e.author, text: e.text,
      'opened_at': new Date(i.openedAt).toISOString(),
    };
    if (previous && previous !== i.state) fields.previous_state = previous;
    return { time: e.at * 1000, samplerate: 1, fields };
  }

  /** Opens an incident, or joins the open one of the same service and alert group. */
  open(env: Environment, r: OpenRequest): Promise<{ incident: Incident; opened: boolean }> {
    return this.serial.run(async () => {
      const now = this.now();
      const existing = await this.store.openFor(env.id, r.service, r.groupKey);
      if (existing) {
        // A new alert of the group joins; one that fired before fires again: either way the timeline says so.
        const known = !r.fingerprint || existing.fingerprints.includes(r.fingerprint);
        const joined = { ...existing, fingerprints: known ? existing.fingerprints : [...existing.fingerprints, r.fingerprint!], updatedAt: now };
        await this.commit(env, joined, existing.state, [this.entry('alert.firing', r.author, r.text, now)]);
        return { incident: joined, opened: false };
      }
      const incident: Incident = {
        id: `inc_${crypto.randomBytes(6).toString('hex')}`, envId: env.id, service: r.service, severity: r.severity, state: 'triggered', title: r.title,
        groupKey: r.groupKey, fingerprints: r.fingerprint ? [r.fingerprint] : [], alertName: r.alertName, openedAt: now, updatedAt: now,
      };
      await this.commit(env, incident, undefined, [this.entry('opened', r.author, r.text, now)]);
      return { incident, opened: true };
    });
  }

  /** Adds an entry (alert resolved, check state, escalation, page sent) to an incident's timeline. */
  note(env: Environment, id: string, kind: string, author: string, text: string): Promise<Incident> {
    return this.serial.run(async () => {
      const i = await this.store.get(env.id, id);
      if (!i) throw new IncidentError(`no incident ${id}`);
      const next = { ...i, updatedAt: this.now() };
      await this.commit(env, next, i.state, [this.entry(kind, author, text)]);
      return next;
    });
  }

  /** A person's change: state (forward only, except reopening), severity, title, postmortem. */
  change(env: Environment, id: string, c: IncidentChange, author: string): Promise<Incident> {
    return this.serial.run(async () => {
      const i = await this.store.get(env.id, id);
      if (!i) throw new IncidentError(`no incident ${id}`);
      const now = this.now();
      const next: Incident = { ...i, updatedAt: now };
      const entries = [];
      if (c.state && c.state !== i.state) {
        if (ORDER.indexOf(c.state) < ORDER.indexOf(i.state)) throw new IncidentError(`state: the incident is ${i.state}; it cannot go back to ${c.state}`);
        next.state = c.state;
        if (c.state === 'acknowledged' || !i.acknowledgedAt) {
          next.acknowledgedAt = now;
          next.acknowledgedBy = author;
        }
        if (c.state === 'mitigated' || (c.state === 'resolved' && !i.mitigatedAt)) next.mitigatedAt = now;
        if (c.state === 'resolved') next.resolvedAt = now;
        entries.push(this.entry(c.state === 'acknowledged' ? 'acknowledged' : 'state', author, `${i.state} -> ${c.state}`, now));
      }
      if (c.severity && c.severity !== i.severity) {
        next.severity = c.severity;
        entries.push(this.entry('severity', author, `${i.severity} -> ${c.severity}`, now));
      }
      if (c.title !== undefined && c.title !== i.title) {
        next.title = c.title;
        entries.push(this.entry('title', author, c.title, now));
      }
      if (c.postmortem !== undefined) {
        next.postmortem = c.postmortem;
        entries.push(this.entry('postmortem', author, 'postmortem edited', now));
      }
      if (next.state === 'resolved' && next.postmortem === undefined) {
        next.postmortem = postmortemTemplate(next, [...(await this.store.timeline(i.id)), ...entries]);
      }
      if (!entries.length) return i;
      await this.commit(env, next, i.state, entries);
      return next;
    });
  }

  withFingerprint(envId: string, fp: string): Promise<Incident[]> {
    return this.store.withFingerprint(envId, fp);
  }
}
