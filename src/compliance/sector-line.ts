import { judge, type Verdict } from './duty.ts';
import { clockPlace } from './holidays.ts';
import { inForceVerdict, withClocks, type LineContext, type RecipientLine } from './jurisdiction-line.ts';
import type { Regulator, Trigger } from './rules/schema.ts';
import { countSubjects, type SubjectGroup } from './subject-group.ts';

/** What a sector regime the incident names (HIPAA, NIS2, DFS) asks of the controller, wherever the people live. */
export interface SectorLine {
  regulator: string;
  name: string;
  covers: string;
  law: string;
  duties: RecipientLine[];
  overdue: boolean;
  confidence: Regulator['confidence'];
  notes: string[];
  sources: Regulator['sources'];
  last_reviewed: string;
}

/**
 * A covered entity's duty does not depend on where the people live: each duty is judged on everyone
 * affected, with its own trigger. Business days skip the public holidays of the id's country (`us-hipaa`: US).
 */
export function sectorLine(id: string, regulator: Regulator, everyone: readonly SubjectGroup[], context: LineContext): SectorLine {
  const country = id.slice(0, 2).toUpperCase();
  const place = clockPlace(country, regulator.time_zone);
  const duties = regulator.duties.map((duty) => {
    const verdict = inForceVerdict(duty, country, context, () => judgeSector(duty.when, everyone));
    return { who: duty.who, filing: duty.filing ?? null, url: duty.url ?? null, ...withClocks(verdict, duty, place, context, id) };
  });
  return {
    regulator: id,
    name: regulator.name,
    covers: regulator.covers,
    law: regulator.law,
    duties,
    overdue: duties.some((duty) => duty.clocks.some((clock) => clock.overdue)),
    confidence: regulator.confidence,
    notes: regulator.notes,
    sources: regulator.sources,
    last_reviewed: regulator.last_reviewed,
  };
}

/**
 * A sector duty turns on the incident, not on residents: before a scope run has found anyone affected,
 * it is for a person to judge, never "not required" for want of people.
 */
function judgeSector(trigger: Trigger, everyone: readonly SubjectGroup[]): Verdict {
  if (countSubjects(everyone) > 0) return judge(trigger, everyone, 'people');
  return { duty: 'assess', reasons: ['no scope run has found anyone affected yet; the duty turns on the incident itself', trigger.test_text] };
}
