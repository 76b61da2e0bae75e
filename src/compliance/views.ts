import type { Clock } from '../domain/index.ts';
import type { Assessment } from './assess.ts';

/** The wire shape of an assessment (`tocsin assess --json`, the API): one object per jurisdiction, plus the full line for detail. */
export function assessmentView(assessment: Assessment & { run: number }) {
  return {
    run: assessment.run,
    aware_at: assessment.aware_at,
    assessed_at: assessment.assessed_at,
    as_of: assessment.as_of,
    lead_authority: assessment.lead_authority,
    overdue: assessment.overdue,
    disclaimer: assessment.disclaimer,
    jurisdictions: assessment.lines.map((line) => ({
      jurisdiction: line.jurisdiction,
      authority: line.authority.name,
      authority_required: line.authority.duty === 'required',
      authority_duty: line.authority.duty,
      authority_deadline: firstDue(line.authority.clocks),
      individuals: line.individuals.duty,
      individuals_deadline: firstDue(line.individuals.clocks),
      subjects: line.subjects,
      records: line.records,
      reasons: [...line.authority.reasons, ...line.individuals.reasons],
      sources: line.sources,
      overdue: line.overdue,
      notice: line.notice,
      detail: line,
    })),
    sectors: assessment.sectors,
  };
}

/** The first dated deadline of a duty, null when none is dated. */
export const firstDue = (clocks: readonly Clock[]) => clocks.find((clock) => clock.due_at !== null)?.due_at ?? null;

