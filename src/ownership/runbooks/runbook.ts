// Runbook completeness: the Markdown file's headings against the sections the handoff rule
// requires (present and with text under them), and a section or link for every alert the
// service can raise (its checks, triggers and SLOs), whose anchor notifications link to.
import fs from 'node:fs';
import path from 'node:path';

export interface RunbookStatus {
  /** `missing` (none declared), `unreadable`, `external` (a URL: not fetched, not checked), `checked`. */
  state: 'missing' | 'unreadable' | 'external' | 'checked';
  location?: string;
  complete: boolean;
  sections: { name: string; present: boolean; empty: boolean }[];
  alerts: { name: string; covered: boolean; anchor?: string }[];
  problems: string[];
}

interface Heading {
  level: number;
  text: string;
  body: string;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

function headings(md: string): Heading[] {
  const out: Heading[] = [];
  let fence = false;
  for (const line of md.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const m = fence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) out.push({ level: m[1].length, text: m[2], body: '' });
    else if (out.length) out[out.length - 1].body += `${line}\n`;
  }
  // A section's text includes its sub-sections.
  return out.map((h, i) => {
    let body = h.body;
    for (let j = i + 1; j < out.length && out[j].level > h.level; j++) body += out[j].text + out[j].body;
    return { ...h, body };
  });
}

/** A heading is the section when one name holds the other ("Deploy and rollback" is "rollback"). */
const isSection = (heading: string, name: string) => {
  const h = norm(heading);
  const n = norm(name);
  return h === n || ` ${h} `.includes(` ${n} `) || ` ${n} `.includes(` ${h} `);
};

export function checkRunbookText(md: string, required: string[], alerts: string[]): Pick<RunbookStatus, 'sections' | 'alerts' | 'complete' | 'problems'> {
  const hs = headings(md);
  const sections = required.map((name) => {
    const h = hs.find((x) => isSection(x.text, name));
    return { name, present: !!h, empty: h ? h.body.trim() === '' : true };
  });
  const covered = alerts.map((name) => {
    const h = hs.find((x) => norm(x.text).includes(norm(name)));
    if (h) return { name, covered: true, anchor: anchorOf(h.text) };
    const linked = new RegExp(`\\[[^\\]]*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\]]*\\]\\(`, 'i').test(md);
    return { name, covered: linked };
  });
  const problems = [
    ...sections.filter((s) => !s.present).map((s) => `section "${s.name}" is missing`),
    ...sections.filter((s) => s.present && s.empty).map((s) => `section "${s.name}" is empty`),
    ...covered.filter((a) => !a.covered).map((a) => `alert "${a.name}" has no section or link`),
  ];
  return { sections, alerts: covered, complete: problems.length === 0, problems };
}

export function checkRunbook(runbook: string | undefined, baseDir: string, required: string[], alerts: string[]): RunbookStatus {
  const none = { sections: [], alerts: [], complete: false };
  if (!runbook) return { state: 'missing', ...none, problems: ['no runbook declared'] };
  if (/^https?:\/\//.test(runbook)) return { state: 'external', location: runbook, ...none, problems: ['the runbook is a URL, which Tend does not fetch: its sections are not checked'] };
  const file = path.resolve(baseDir, runbook);
  let md: string;
  try {
    md = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { state: 'unreadable', location: runbook, ...none, problems: [`cannot read ${runbook}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`] };
  }
  return { state: 'checked', location: runbook, ...checkRunbookText(md, required, alerts) };
}
