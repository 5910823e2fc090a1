/**
 * A partial run (`pnpm bench --only ...`) updates bench/RESULTS.md rather than replacing it: each
 * section it wrote replaces the section of the same heading (a new one goes before the notes of
 * findings.md), each of its target rows replaces the row of the same target, and the header keeps
 * the full run's lines plus one naming the partial run, so every figure says which run it is from.
 */
import type { MachineInfo } from './machine.ts';
import { TARGETS_HEADING } from './report.ts';
import { num } from './stats.ts';

interface Parts {
  header: string;
  sections: string[];
}

const split = (md: string): Parts => {
  const [header, ...sections] = md.split(/^(?=## )/m);
  return { header, sections };
};
const headingOf = (section: string) => section.slice(0, section.indexOf('\n'));
const tableRows = (section: string) => section.split('\n').filter((l) => l.startsWith('| ')).slice(2);
const targetOf = (row: string) => row.split(' | ')[0];

function mergeTargets(old: string, fresh: string): string {
  const rows = tableRows(old);
  for (const row of tableRows(fresh)) {
    const at = rows.findIndex((r) => targetOf(r) === targetOf(row));
    if (at >= 0) rows[at] = row;
    else rows.push(row);
  }
  const head = fresh.split('\n').filter((l) => l.startsWith('| ')).slice(0, 2);
  return [TARGETS_HEADING, '', ...head, ...rows, '', ''].join('\n');
}

/** Sections before the notes (findings.md, which begin with `notesHeading`), and the notes. */
function measuredAndNotes(sections: string[], notesHeading: string): [string[], string[]] {
  const at = sections.findIndex((s) => headingOf(s) === notesHeading);
  return at < 0 ? [sections, []] : [sections.slice(0, at), sections.slice(at)];
}

/**
 * `existing` (RESULTS.md) with the sections and target rows of `partial` (a --only run's
 * Markdown) laid over it; the notes (findings.md, from `notesHeading` on) are the partial run's.
 */
export function mergeResults(existing: string, partial: string, info: MachineInfo, notesHeading: string): string {
  const old = split(existing);
  const fresh = split(partial);
  const [sections] = measuredAndNotes(old.sections, notesHeading);
  const [measured, notes] = measuredAndNotes(fresh.sections, notesHeading);
  for (const section of measured) {
    const heading = headingOf(section);
    if (heading === TARGETS_HEADING) {
      const at = sections.findIndex((s) => headingOf(s).startsWith('## Targets'));
      if (at >= 0) sections[at] = mergeTargets(sections[at], section);
      else sections.unshift(section);
      continue;
    }
    const at = sections.findIndex((s) => headingOf(s) === heading);
    if (at >= 0) sections[at] = section;
    else sections.push(section);
  }
  const line = `- Updated by \`${info.command}\` on ${info.date} (load average at its start ${num(info.load)}): its sections and target rows replace those of the run above.`;
  return old.header.replace(/\n*$/, '\n') + line + '\n\n' + [...sections, ...notes].join('');
}
