import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import type { IncidentFacts } from './facts.ts';
import { section, type ReportDocument } from './report-document.ts';
import { byJurisdiction, categoryList, consequencesPrompt, timelineFacts } from './report-facts.ts';
import type { ReportWords } from './report-words.ts';

export interface RegisterEntry extends ReportDocument {
  kind: 'breach-register-entry';
  incident_id: string;
}

/**
 * The breach register entry GDPR Art. 33(5) asks of every breach, reported or not: the facts, the
 * effects and the remedial action. The effects, and any action not yet recorded, are a human's to write.
 * The register is the controller's own record, in English; `words` name the categories and consequences.
 */
export function registerEntry(facts: IncidentFacts, words: ReportWords): RegisterEntry {
  const { incident, scope, categories, notices } = facts;
  return {
    kind: 'breach-register-entry',
    language: words.language,
    incident_id: incident.id,
    title: `Breach register entry: ${incident.title}`,
    meta: [
      { label: 'Incident', value: incident.id },
      { label: 'Recorded as of', value: facts.as_of },
    ],
    sections: [
      section(
        'facts',
        'Facts relating to the breach',
        'GDPR Art. 33(5)',
        [
          ...timelineFacts(incident, words),
          { label: 'People affected', value: scope.subjects },
          { label: 'Records affected', value: scope.records },
          { label: 'By jurisdiction', value: byJurisdiction(scope, words) },
          { label: 'Personal data exposed', value: categoryList(categories.exposed, words) },
          { label: 'Personal data not exposed', value: categoryList(categories.not_exposed, words) },
          { label: 'Evidence files', value: facts.evidence.length },
        ],
        'Add a short account of what happened.',
      ),
      section('effects', 'Effects', 'GDPR Art. 33(5)', [], consequencesPrompt(categories.exposed, words.sections.consequences.prompt, words)),
      section(
        'remedial-action',
        'Remedial action taken',
        'GDPR Art. 33(5)',
        [
          ...facts.measures.map((measure) => ({ label: 'Measure', value: measure })),
          ...(facts.submitted_reports ?? []).map((report) => ({ label: 'Reported to', value: `${report.authority} (${report.jurisdiction}), submitted ${report.submitted_at}` })),
          { label: 'Notices to the people affected', value: `${notices.built} built, ${notices.sent} sent, ${notices.bounced} bounced` },
        ],
        facts.measures.length > 0 ? null : 'Record the remedial action taken.',
      ),
    ],
    needs_human_label: words.needs_human,
    disclaimer: NOT_LEGAL_ADVICE,
  };
}
