import { describe, expect, it } from 'vitest';
import { buildAuthorityReport } from './authority-report.ts';
import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import type { IncidentFacts } from './facts.ts';
import { registerEntry } from './register-entry.ts';
import { renderReport } from './render-report.ts';
import type { ReportDocument, ReportSection } from './report-document.ts';
import { loadRuleBook } from './rules/load.ts';

const book = loadRuleBook();
const france = book.rulesFor('FR');

const INITIAL: IncidentFacts = {
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

function sectionOf(document: ReportDocument, key: string): ReportSection {
  const found = document.sections.find((entry) => entry.key === key);
  if (!found) throw new Error(`no section ${key}`);
  return found;
}

describe('buildAuthorityReport, initial phase', () => {
  const report = buildAuthorityReport(INITIAL, france, 'initial');

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
      { label: 'Approximate number, all jurisdictions', value: 412 },
      { label: 'Approximate number in France', value: 120 },
      { label: 'By jurisdiction', value: 'FR 120, US-CA 30' },
    ]);
    expect(sectionOf(report, 'records').facts).toEqual([
      { label: 'Categories of personal data', value: 'name, email, phone, postal address' },
      { label: 'Approximate number of records, all jurisdictions', value: 530 },
      { label: 'Approximate number of records in France', value: 150 },
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
    const late = buildAuthorityReport({ ...INITIAL, as_of: '2019-11-18T09:00:00.000Z' }, france, 'initial');
    expect(sectionOf(late, 'delay')).toMatchObject({ reference: 'GDPR Art. 33(1)', needs_human: true });
    expect(sectionOf(late, 'delay').facts[2]).toEqual({ label: 'Late by', value: '24 hours' });
  });

  it('asks for the contact point when the incident has none', () => {
    const anonymous = buildAuthorityReport({ ...INITIAL, incident: { ...INITIAL.incident, contact_email: null } }, france, 'initial');
    expect(sectionOf(anonymous, 'contact').prompt).toMatch(/not recorded: a contact email \(--contact-email\)/);
  });

  it('has no GDPR references outside GDPR regimes', () => {
    const california = buildAuthorityReport(INITIAL, book.rulesFor('US-CA'), 'initial');
    expect(california.sections.every((entry) => entry.reference === null)).toBe(true);
    expect(sectionOf(california, 'subjects').facts[1]).toEqual({ label: 'Approximate number in California', value: 30 });
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
  const report = buildAuthorityReport(later, france, 'complementary', INITIAL);

  it('opens with what changed since the initial report', () => {
    const changes = sectionOf(report, 'changes');
    expect(report.sections[0]).toBe(changes);
    expect(changes.facts).toEqual([
      { label: 'Scope runs', value: '1 → 2 (+1)' },
      { label: 'People affected, all jurisdictions', value: '412 → 430 (+18)' },
      { label: 'People affected in France', value: '120 → 125 (+5)' },
      { label: 'Records affected in France', value: '150 → 156 (+6)' },
      { label: 'Now known not to be exposed', value: 'date of birth' },
      { label: 'Notices sent', value: '0 → 428 (+428)' },
      { label: 'Notices bounced', value: '0 → 2 (+2)' },
      { label: 'Measure added', value: 'Closed the IMEI lookup to unauthenticated requests' },
      { label: 'Contained', value: 'not recorded → 2019-11-15T12:00:00.000Z' },
    ]);
    expect(changes.prompt).toMatch(/reference number and date of your initial report/);
  });

  it('no longer asks for what is now recorded, nor for reasons for delay', () => {
    expect(sectionOf(report, 'measures').needs_human).toBe(false);
    expect(sectionOf(report, 'timeline').needs_human).toBe(false);
    expect(report.sections.some((entry) => entry.key === 'delay')).toBe(false);
  });

  it('needs the initial facts', () => {
    expect(() => buildAuthorityReport(later, france, 'complementary')).toThrow(/give the facts the initial report was built from/);
  });
});

describe('registerEntry', () => {
  it('records the facts, effects and remedial action GDPR Art. 33(5) asks for', () => {
    const entry = registerEntry(INITIAL);
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
  const report = buildAuthorityReport(INITIAL, france, 'initial');

  it('writes Markdown with the disclaimer and a marked request for each human item', () => {
    const markdown = renderReport(report, 'md');
    expect(markdown).toMatch(/^# Personal data breach report \(initial\) to Commission nationale/);
    expect(markdown).toContain(`> ${NOT_LEGAL_ADVICE}`);
    expect(markdown).toContain('## 5. Likely consequences (GDPR Art. 33(3)(c))');
    expect(markdown.match(/> \*\*Needs a human:\*\*/g)).toHaveLength(5);
  });

  it('escapes values so that they cannot restructure the document', () => {
    const hostile = { ...INITIAL, incident: { ...INITIAL.incident, title: '<script>alert(1)</script>\n# Fake heading' } };
    const document = buildAuthorityReport(hostile, france, 'initial');
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
