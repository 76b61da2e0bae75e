import { describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES_DIR } from '../lib/template-dirs.ts';
import { buildAuthorityReport } from './authority-report.ts';
import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import type { IncidentFacts } from './facts.ts';
import { registerEntry } from './register-entry.ts';
import { renderReport } from './render-report.ts';
import { SAMPLE_REPORT_FACTS } from './report-check.ts';
import type { ReportDocument, ReportSection } from './report-document.ts';
import { reportWords } from './report-words.ts';
import { loadRuleBook } from './rules/load.ts';

const book = loadRuleBook();
const france = book.rulesFor('FR');

const INITIAL: IncidentFacts = SAMPLE_REPORT_FACTS;
const english = reportWords([BUILT_IN_TEMPLATES_DIR], 'en');
const build = (facts: IncidentFacts, rules = france, phase: 'initial' | 'complementary' = 'initial', previous?: IncidentFacts) => buildAuthorityReport({ facts, rules, phase, words: english, previous });

function sectionOf(document: ReportDocument, key: string): ReportSection {
  const found = document.sections.find((entry) => entry.key === key);
  if (!found) throw new Error(`no section ${key}`);
  return found;
}

describe('buildAuthorityReport, initial phase', () => {
  const report = build(INITIAL);

  it('answers every Art. 33(3) item, in order, with its reference', () => {
    expect(report.sections.map((entry) => [entry.key, entry.reference])).toEqual([
      ['nature', 'GDPR Art. 33(3)(a)'],
      ['subjects', 'GDPR Art. 33(3)(a)'],
      ['records', 'GDPR Art. 33(3)(a)'],
      ['contact', 'GDPR Art. 33(3)(b)'],
      ['consequences', 'GDPR Art. 33(3)(c)'],
      ['measures', 'GDPR Art. 33(3)(d)'],
      ['timeline', 'GDPR Art. 33(5)'],
      ['evidence', 'GDPR Art. 33(5)'],
    ]);
    expect(report).toMatchObject({ kind: 'authority-report', phase: 'initial', jurisdiction: 'FR', disclaimer: NOT_LEGAL_ADVICE });
  });

  it('gives the numbers in total and in the jurisdiction', () => {
    expect(sectionOf(report, 'subjects').facts).toEqual([
      { label: 'Approximate number of data subjects, all jurisdictions', value: 412 },
      { label: 'Approximate number of data subjects in France', value: 120 },
      { label: 'By jurisdiction', value: 'FR 120, US-CA 30' },
    ]);
    expect(sectionOf(report, 'records').facts).toEqual([
      { label: 'Categories of personal data', value: 'name, email address, phone number, postal address' },
      { label: 'Approximate number of personal data records, all jurisdictions', value: 530 },
      { label: 'Approximate number of personal data records in France', value: 150 },
    ]);
  });

  it('marks what only a human can write, with a prompt, and invents none of it', () => {
    const human = report.sections.filter((entry) => entry.needs_human).map((entry) => entry.key);
    expect(human).toEqual(['nature', 'subjects', 'consequences', 'measures', 'timeline']);
    expect(report.needs_human).toBe(5);
    expect(sectionOf(report, 'consequences')).toMatchObject({ facts: [], needs_human: true });
    expect(sectionOf(report, 'consequences').prompt).toMatch(/phishing emails that imitate you; scam calls/);
    expect(sectionOf(report, 'timeline').prompt).toMatch(/contained \(--contained-at\)/);
  });

  it('lists the evidence with its SHA-256', () => {
    expect(sectionOf(report, 'evidence')).toMatchObject({
      needs_human: false,
      facts: [{ label: 'logs/access.log.1.gz', value: 'SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, 3145728 bytes' }],
    });
  });

  it('asks for the reasons for the delay only when the report is late', () => {
    const late = build({ ...INITIAL, as_of: '2019-11-18T09:00:00.000Z' });
    expect(sectionOf(late, 'delay')).toMatchObject({ reference: 'GDPR Art. 33(1)', needs_human: true });
    expect(sectionOf(late, 'delay').facts[2]).toEqual({ label: 'Late by', value: '24 hours' });
  });

  it('asks for the contact point when the incident has none', () => {
    const anonymous = build({ ...INITIAL, incident: { ...INITIAL.incident, contact_email: null } });
    expect(sectionOf(anonymous, 'contact').prompt).toMatch(/not recorded: a contact email \(--contact-email\)/);
  });

  it('has no GDPR references outside GDPR regimes', () => {
    const california = build(INITIAL, book.rulesFor('US-CA'));
    expect(california.sections.every((entry) => entry.reference === null)).toBe(true);
    expect(sectionOf(california, 'subjects').facts[1]).toEqual({ label: 'Approximate number of data subjects in California', value: 30 });
  });
});

describe('buildAuthorityReport, complementary phase', () => {
  const later: IncidentFacts = {
    ...INITIAL,
    as_of: '2019-11-20T09:00:00.000Z',
    incident: { ...INITIAL.incident, contained_at: '2019-11-15T12:00:00.000Z' },
    scope: { ...INITIAL.scope, runs: 2, subjects: 430, by_jurisdiction: [{ jurisdiction: 'FR', subjects: 125, records: 156 }] },
    categories: { exposed: ['name', 'email', 'phone', 'postal_address'], not_exposed: ['payment_card_number', 'password_hash', 'date_of_birth'] },
    notices: { built: 430, sent: 428, bounced: 2 },
    measures: ['Closed the IMEI lookup to unauthenticated requests'],
  };
  const report = build(later, france, 'complementary', INITIAL);

  it('opens with what changed since the initial report', () => {
    const changes = sectionOf(report, 'changes');
    expect(report.sections[0]).toBe(changes);
    expect(changes.facts).toEqual([
      { label: 'Scope runs', value: '1 → 2 (+1)' },
      { label: 'Data subjects concerned, all jurisdictions', value: '412 → 430 (+18)' },
      { label: 'Data subjects concerned in France', value: '120 → 125 (+5)' },
      { label: 'Personal data records concerned in France', value: '150 → 156 (+6)' },
      { label: 'Now known not to be exposed', value: 'date of birth' },
      { label: 'Notifications sent', value: '0 → 428 (+428)' },
      { label: 'Notifications bounced', value: '0 → 2 (+2)' },
      { label: 'Measure added', value: 'Closed the IMEI lookup to unauthenticated requests' },
      { label: 'Contained', value: 'not recorded → 2019-11-15T12:00:00.000Z' },
    ]);
    expect(changes.prompt).toMatch(/reference number and date of your initial notification/);
  });

  it('no longer asks for what is now recorded, nor for reasons for delay', () => {
    expect(sectionOf(report, 'measures').needs_human).toBe(false);
    expect(sectionOf(report, 'timeline').needs_human).toBe(false);
    expect(report.sections.some((entry) => entry.key === 'delay')).toBe(false);
  });

  it('needs the initial facts', () => {
    expect(() => build(later, france, 'complementary')).toThrow(/give the facts the initial report was built from/);
  });
});

describe('registerEntry', () => {
  it('records the facts, effects and remedial action GDPR Art. 33(5) asks for', () => {
    const entry = registerEntry(INITIAL, english);
    expect(entry.sections.map((part) => [part.key, part.needs_human])).toEqual([
      ['facts', true],
      ['effects', true],
      ['remedial-action', true],
    ]);
    expect(sectionOf(entry, 'facts').facts).toContainEqual({ label: 'People affected', value: 412 });
    expect(sectionOf(entry, 'remedial-action').facts).toEqual([{ label: 'Notices to the people affected', value: '0 built, 0 sent, 0 bounced' }]);
  });
});

describe('renderReport', () => {
  const report = build(INITIAL);

  it('writes Markdown with the disclaimer and a marked request for each human item', () => {
    const markdown = renderReport(report, 'md');
    expect(markdown).toMatch(/^# Notification of a personal data breach to the supervisory authority: Commission nationale/);
    expect(markdown).toContain(`> ${NOT_LEGAL_ADVICE}`);
    expect(markdown).toContain('## 5. Likely consequences of the personal data breach (GDPR Art. 33(3)(c))');
    expect(markdown.match(/> \*\*Needs a human:\*\*/g)).toHaveLength(5);
  });

  it('escapes values so that they cannot restructure the document', () => {
    const hostile = { ...INITIAL, incident: { ...INITIAL.incident, title: '<script>alert(1)</script>\n# Fake heading' } };
    const document = build(hostile);
    expect(renderReport(document, 'html')).not.toContain('<script>');
    expect(renderReport(document, 'html')).toContain('&#60;script&#62;');
    expect(renderReport(document, 'md')).toContain('\\<script\\>alert(1)\\</script\\> \\# Fake heading');
  });

  it('writes a standalone HTML page and JSON that round-trips', () => {
    const page = renderReport(report, 'html');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page.match(/class="needs-human"/g)).toHaveLength(5);
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report);
  });
});

describe('reports in the authority language', () => {
  const inLanguage = (language: 'fr' | 'de' | 'es' | 'it', code: string) =>
    buildAuthorityReport({ facts: INITIAL, rules: book.rulesFor(code), phase: 'initial', words: reportWords([BUILT_IN_TEMPLATES_DIR], language) });

  it.each([
    ['fr', 'FR', 'Nature de la violation de données à caractère personnel', "art. 33, paragraphe 3, point a), du RGPD", 'Conséquences probables de la violation', 'Nombre approximatif de personnes concernées (France)'],
    ['de', 'DE', 'Beschreibung der Art der Verletzung des Schutzes personenbezogener Daten', 'Art. 33 Abs. 3 lit. a DSGVO', 'Beschreibung der wahrscheinlichen Folgen', 'Ungefähre Zahl der betroffenen Personen (Deutschland)'],
    ['es', 'ES', 'Naturaleza de la violación de la seguridad de los datos personales', 'artículo 33, apartado 3, letra a), del RGPD', 'Posibles consecuencias de la violación', 'Número aproximado de interesados afectados (España)'],
    ['it', 'IT', 'Natura della violazione dei dati personali', 'articolo 33, paragrafo 3, lettera a), del RGPD', 'Probabili conseguenze della violazione', 'Numero approssimativo di interessati (Italia)'],
  ] as const)('writes the report in %s with the Art. 33(3) terms of that language version', (language, code, nature, reference, consequences, here) => {
    const report = inLanguage(language, code);
    expect(report.language).toBe(language);
    expect(sectionOf(report, 'nature')).toMatchObject({ title: nature, reference });
    expect(sectionOf(report, 'consequences').title).toContain(consequences);
    expect(sectionOf(report, 'subjects').facts[1].label).toBe(here);
    expect(renderReport(report, 'html')).toContain(`<html lang="${language}">`);
    expect(renderReport(report, 'md')).not.toMatch(/Needs a human|Approximate number/);
  });
});

describe('the lead authority report (one-stop shop)', () => {
  const ireland = book.rulesFor('IE');
  const eea = [
    { jurisdiction: 'DE', name: 'Germany', subjects: 40, records: 44 },
    { jurisdiction: 'FR', name: 'France', subjects: 120, records: 150 },
  ];
  const lead = buildAuthorityReport({ facts: INITIAL, rules: ireland, phase: 'initial', words: english, eea });

  it('gives the EU/EEA total beside a table of every member state, and says it is the lead', () => {
    expect(lead.lead).toBe(true);
    expect(lead.meta).toContainEqual({ label: 'Role', value: expect.stringMatching(/^Lead supervisory authority under the one-stop-shop mechanism \(GDPR Art\. 56\)/) });
    expect(sectionOf(lead, 'subjects').facts).toContainEqual({ label: 'Approximate number of data subjects in the EU/EEA', value: 160 });
    expect(sectionOf(lead, 'records').facts).toContainEqual({ label: 'Approximate number of personal data records in the EU/EEA', value: 194 });
    expect(sectionOf(lead, 'subjects').table).toEqual({ columns: ['Member state', 'Data subjects', 'Records'], rows: [['Germany (DE)', 40, 44], ['France (FR)', 120, 150]] });
    expect(renderReport(lead, 'md')).toContain('| Member state | Data subjects | Records |\n| --- | --- | --- |\n| Germany (DE) | 40 | 44 |');
    expect(renderReport(lead, 'html')).toContain('<tr><td>France (FR)</td><td>120</td><td>150</td></tr>');
  });

  it('keeps another authority report per country, without the lead role', () => {
    const other = build(INITIAL);
    expect(other.lead).toBe(false);
    expect(sectionOf(other, 'subjects').table).toBeNull();
    expect(renderReport(other, 'md')).not.toMatch(/lead supervisory|EU\/EEA/);
  });
});

describe('sections a person wrote', () => {
  const written = buildAuthorityReport({
    facts: INITIAL,
    rules: france,
    phase: 'initial',
    words: english,
    written: { consequences: 'Phishing is likely.\n\nNo financial loss: | # <b>', nature: 'The lookup page answered anyone.' },
  });

  it('show instead of the prompt, and the report lists only the sections still unwritten', () => {
    expect(sectionOf(written, 'consequences')).toMatchObject({ needs_human: false, prompt: null, written: ['Phishing is likely.', 'No financial loss: | # <b>'] });
    expect(written.unfilled).toEqual(['subjects', 'measures', 'timeline']);
    expect(written.needs_human).toBe(3);
    expect(written.meta.at(-1)).toEqual({ label: 'Sections still to be written', value: 'Categories and approximate number of data subjects concerned; Measures taken or proposed to be taken by the controller; Timeline' });
  });

  it('reach Markdown and HTML as text', () => {
    expect(renderReport(written, 'md')).toContain('Phishing is likely.\n\nNo financial loss: \\| \\# \\<b\\>\n');
    expect(renderReport(written, 'html')).toContain('<p>No financial loss: | # &#60;b&#62;</p>');
  });
});
