import { buildAuthorityReport, type AuthorityReport } from './authority-report.ts';
import type { IncidentFacts } from './facts.ts';
import { renderReport } from './render-report.ts';
import { TocsinError } from '../lib/errors.ts';
import { readReportWords, REPORT_CONDITIONS, REPORT_LANGUAGES, REPORT_WORDS_DIR, reportWords, type ReportLanguage, type ReportWords } from './report-words.ts';
import type { JurisdictionRules } from './rules/schema.ts';

/**
 * The items GDPR Art. 33(3) requires of a notification, in the terms of the Regulation's official
 * language versions (EUR-Lex, OJ L 119, 4.5.2016), as the authorities' forms name them: a report in
 * that language must head its sections with them. Lower case; matched without regard to case.
 */
export const ART_33_3_TERMS: Readonly<Record<ReportLanguage, Readonly<Record<'a' | 'b' | 'c' | 'd', readonly string[]>>>> = {
  en: {
    a: ['nature of the personal data breach', 'approximate number of data subjects concerned', 'approximate number of personal data records concerned'],
    b: ['data protection officer', 'contact point'],
    c: ['likely consequences'],
    d: ['measures taken or proposed'],
  },
  fr: {
    a: ['nature de la violation de données à caractère personnel', 'nombre approximatif de personnes concernées', "nombre approximatif d'enregistrements de données à caractère personnel concernés"],
    b: ['délégué à la protection des données', 'point de contact'],
    c: ['conséquences probables'],
    d: ['mesures prises ou que le responsable du traitement propose de prendre'],
  },
  de: {
    a: ['art der verletzung des schutzes personenbezogener daten', 'ungefähre zahl der betroffenen personen', 'ungefähre zahl der betroffenen personenbezogenen datensätze'],
    b: ['datenschutzbeauftragten', 'anlaufstelle'],
    c: ['wahrscheinlichen folgen'],
    d: ['ergriffenen oder vorgeschlagenen maßnahmen'],
  },
  es: {
    a: ['naturaleza de la violación de la seguridad de los datos personales', 'número aproximado de interesados afectados', 'número aproximado de registros de datos personales afectados'],
    b: ['delegado de protección de datos', 'punto de contacto'],
    c: ['posibles consecuencias'],
    d: ['medidas adoptadas o propuestas'],
  },
  it: {
    a: ['natura della violazione dei dati personali', 'numero approssimativo di interessati', 'numero approssimativo di registrazioni dei dati personali'],
    b: ['responsabile della protezione dei dati', 'punto di contatto'],
    c: ['probabili conseguenze'],
    d: ["misure adottate o di cui si propone l'adozione"],
  },
};

/** What Tocsin might know of a breach an hour after awareness: the facts sample reports are built from. */
export const SAMPLE_REPORT_FACTS: IncidentFacts = {
  as_of: '2019-11-15T09:00:00.000Z',
  incident: {
    id: 'k3v9qa',
    title: 'Support lookup page leaked orders',
    controller: 'Example Phones SAS',
    contact_email: 'dpo@shop.example',
    occurred_from: '2019-11-01T00:00:00.000Z',
    occurred_to: '2019-11-14T08:00:00.000Z',
    discovered_at: '2019-11-14T08:30:00.000Z',
    aware_at: '2019-11-14T09:00:00.000Z',
    contained_at: null,
  },
  scope: {
    runs: 1,
    subjects: 412,
    records: 530,
    by_jurisdiction: [
      { jurisdiction: 'FR', subjects: 120, records: 150 },
      { jurisdiction: 'US-CA', subjects: 30, records: 31 },
    ],
  },
  categories: { exposed: ['name', 'email', 'phone', 'postal_address'], not_exposed: ['payment_card_number', 'password_hash'] },
  evidence: [{ path: 'logs/access.log.1.gz', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', bytes: 3_145_728 }],
  notices: { built: 0, sent: 0, bounced: 0 },
  measures: [],
};

export interface ReportTemplateProblem {
  kind: 'report';
  locale: ReportLanguage;
  file: string;
  message: string;
}

/**
 * Everything wrong with the report words in every language, read from `dirs` as reports read them:
 * a file that is not words, a sample report that fails to render, an Art. 33(3) item its headings do
 * not name in the Regulation's terms, a `{name}` no value fills, and a statement (the words' own
 * `statements`) made by a report for which it is not true: the lead's role in another authority's,
 * the delay in one made in time.
 */
export function reportTemplateProblems(dirs: readonly string[], rules: JurisdictionRules, languages: readonly ReportLanguage[] = REPORT_LANGUAGES): ReportTemplateProblem[] {
  return languages.flatMap((language) => {
    const file = `${REPORT_WORDS_DIR}/${language}.json`;
    const problem = (message: string): ReportTemplateProblem => ({ kind: 'report', locale: language, file, message });
    const { words, problems } = readReportWords(dirs, language);
    if (words === null || problems.length > 0) return problems.map((found) => ({ ...problem(found.message), file: found.file }));
    return samplesOf(words, rules).flatMap(({ name, report, conditions }) => {
      try {
        for (const format of ['md', 'html', 'json'] as const) renderReport(report, format);
      } catch (error) {
        return [problem(`${file}: the ${name} sample does not render (${error instanceof Error ? error.message : String(error)})`)];
      }
      // The document's own strings, before Markdown or HTML escapes any of them.
      const strings = JSON.stringify(report).toLowerCase();
      const headings = report.sections.map((entry) => entry.title.toLowerCase()).join('\n');
      const found: ReportTemplateProblem[] = [];
      for (const [item, terms] of Object.entries(ART_33_3_TERMS[language])) {
        for (const term of terms) {
          if (!headings.includes(term)) found.push(problem(`${file}: no section heading names Art. 33(3)(${item}) as the Regulation does: '${term}'`));
        }
      }
      for (const placeholder of new Set(strings.match(/\{[a-z_][a-z0-9_]*\}/g) ?? [])) found.push(problem(`${file}: '${placeholder}' is filled by no value in the ${name} sample`));
      for (const condition of REPORT_CONDITIONS.filter((name) => !conditions.includes(name))) {
        for (const phrase of words.statements[condition]) {
          if (strings.includes(phrase.toLowerCase())) found.push(problem(`${file}: the ${name} sample says '${phrase}' though it is not ${CONDITION_NAMES[condition]}; keep the phrase to the words shown only then (${DEFINED_BY[condition]})`));
        }
      }
      return found;
    });
  }).filter((problem, index, all) => all.findIndex((other) => other.message === problem.message) === index);
}

/** The words of `language`, once the check finds nothing wrong with them; else an error listing what it found. `rules`: a GDPR jurisdiction's, for the samples. */
export function checkedReportWords(dirs: readonly string[], language: ReportLanguage, rules: JurisdictionRules): ReportWords {
  const problems = reportTemplateProblems(dirs, rules, [language]);
  if (problems.length > 0) {
    throw new TocsinError('REPORT_WORDS_INVALID', `the report words in '${language}' have ${problems.length} problem(s); fix them, then check the templates again:\n${problems.map((problem) => `  - ${problem.message}`).join('\n')}`, {
      kind: 'invalid',
    });
  }
  return reportWords(dirs, language);
}

const CONDITION_NAMES = { lead: "the one-stop-shop lead's report", late: 'late' } as const;
const DEFINED_BY = { lead: 'meta.lead_role', late: 'sections.delay' } as const;

/** Sample reports that between them use every string: in time and to an authority that is not the lead, and late, complementary and to the lead. */
function samplesOf(words: ReportWords, rules: JurisdictionRules): { name: string; report: AuthorityReport; conditions: readonly string[] }[] {
  const late = { ...SAMPLE_REPORT_FACTS, as_of: '2019-11-20T09:00:00.000Z' };
  const changed = { ...late, scope: { ...late.scope, subjects: 415 }, evidence: [], incident: { ...late.incident, contained_at: '2019-11-15T00:00:00.000Z' } };
  const eea = [{ jurisdiction: 'FR', name: 'France', subjects: 120, records: 150 }];
  return [
    { name: 'initial', report: buildAuthorityReport({ facts: SAMPLE_REPORT_FACTS, rules, phase: 'initial', words }), conditions: [] },
    { name: 'late lead', report: buildAuthorityReport({ facts: late, rules, phase: 'initial', words, eea }), conditions: ['lead', 'late'] },
    { name: 'complementary', report: buildAuthorityReport({ facts: { ...changed, incident: { ...changed.incident, controller: null } }, rules, phase: 'complementary', words, previous: late }), conditions: [] },
  ];
}
