import { describe, expect, it } from 'vitest';
import type { Category } from '../domain/index.ts';
import { assess, type AssessInput } from './assess.ts';
import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import type { JurisdictionLine } from './jurisdiction-line.ts';
import { loadRuleBook } from './rules/load.ts';
import type { SectorLine } from './sector-line.ts';
import type { SubjectGroup } from './subject-group.ts';

const rules = loadRuleBook();
const awareAt = '2019-11-14T09:00:00.000Z';
const dayLater = new Date('2019-11-15T09:00:00.000Z');

/** What the demo shop's leak exposed: order data, never card numbers or passwords. */
const ORDER_DATA: Category[] = ['name', 'email', 'phone', 'postal_address', 'payment_card_last4'];

function people(country: string | null, region: string | null, subjects: number, exposed: Category[] = ORDER_DATA): SubjectGroup {
  return { country, region, exposed, subjects, records: subjects * 2 };
}

const DEMO: SubjectGroup[] = [
  people('FR', null, 120),
  people('DE', 'DE-BY', 80),
  people('ES', null, 50),
  people('IT', null, 40),
  people('GB', null, 60),
  people('US', 'US-CA', 30),
  people('US', 'US-MA', 10),
  people('US', 'US-NY', 20),
  people('US', 'US-CO', 5),
  people('IN', 'IN-MH', 25),
];

function run(overrides: Partial<AssessInput> = {}, incident: Partial<AssessInput['incident']> = {}) {
  return assess({ incident: { awareAt, ...incident }, subjects: DEMO, now: dayLater, rules, ...overrides });
}

function sector(assessment: ReturnType<typeof assess>, id: string): SectorLine {
  const found = assessment.sectors.find((candidate) => candidate.regulator === id);
  if (!found) throw new Error(`no sector line for ${id}`);
  return found;
}

function line(assessment: ReturnType<typeof assess>, code: string): JurisdictionLine {
  const found = assessment.lines.find((candidate) => candidate.jurisdiction === code);
  if (!found) throw new Error(`no line for ${code}`);
  return found;
}

describe('assess on the demo shop’s leak, controller outside the EU', () => {
  const result = run({}, { controllerCountry: 'CN' });

  it('lists every jurisdiction where affected people live, once, by code', () => {
    expect(result.lines.map((entry) => entry.jurisdiction)).toEqual(['DE', 'ES', 'FR', 'GB', 'IN', 'IT', 'US', 'US-CA', 'US-MA', 'US-NY']);
    expect(line(result, 'FR')).toMatchObject({ subjects: 120, records: 240, exposed: ORDER_DATA });
  });

  it('requires a report to every EU authority where people live, exactly 72 hours from awareness', () => {
    expect(result.lead_authority).toBeNull();
    for (const code of ['FR', 'DE', 'ES', 'IT']) {
      const authority = line(result, code).authority;
      expect(authority, code).toMatchObject({ role: 'own', duty: 'required' });
      expect(authority.clocks[0], code).toMatchObject({ due_at: '2019-11-17T09:00:00.000Z', hours_left: 48, overdue: false });
    }
    expect(line(result, 'FR').authority.name).toBe("Commission nationale de l'informatique et des libertés (CNIL)");
    expect(line(result, 'FR').authority.url).toBe('https://notifications.cnil.fr/notifications/index');
  });

  it('leaves telling EU residents to a human judgement of high risk (GDPR Art. 34)', () => {
    const individuals = line(result, 'FR').individuals;
    expect(individuals.duty).toBe('assess');
    expect(individuals.reasons.join(' ')).toMatch(/Art\. 34\(1\)/);
    expect(individuals.clocks[0]).toMatchObject({ due_at: null, basis: 'without undue delay (Art. 34(1))' });
  });

  it('requires a report to the ICO within 72 hours', () => {
    expect(line(result, 'GB').authority).toMatchObject({ name: "Information Commissioner's Office (ICO)", duty: 'required' });
    expect(line(result, 'GB').authority.clocks[0].due_at).toBe('2019-11-17T09:00:00.000Z');
  });

  it('finds California’s law not triggered by names, emails, phones, addresses and last four card digits', () => {
    const california = line(result, 'US-CA');
    expect(california.authority.duty).toBe('not-required');
    expect(california.individuals.duty).toBe('not-required');
    expect(california.individuals.reasons[0]).toMatch(/matches none of the combinations/);
    expect(california.notice).toMatchObject({ variant: 'us-ca', title: 'Notice of Data Breach' });
  });

  it('does not trigger Massachusetts or New York either, and carries Massachusetts’ prohibitions', () => {
    expect(line(result, 'US-MA').individuals.duty).toBe('not-required');
    expect(line(result, 'US-NY').individuals.duty).toBe('not-required');
    expect(line(result, 'US-MA').notice.forbids).toEqual(['nature_of_breach', 'affected_count']);
  });

  it('sends a US state without rules to the fallback that asks for counsel', () => {
    const fallback = line(result, 'US');
    expect(fallback).toMatchObject({ subjects: 5, regime: 'us-fallback', confidence: 'low' });
    expect(fallback.authority.duty).toBe('assess');
    expect(fallback.authority.reasons.join(' ')).toMatch(/ask counsel/);
  });

  it('gives CERT-In 6 hours, and flags the clock overdue a day later', () => {
    const india = line(result, 'IN');
    expect(india.authority).toMatchObject({ name: 'Indian Computer Emergency Response Team (CERT-In)', duty: 'required' });
    expect(india.authority.clocks[0]).toMatchObject({ due_at: '2019-11-14T15:00:00.000Z', hours_left: -18, overdue: true });
    expect(india.overdue).toBe(true);
    expect(result.overdue).toBe(true);
  });

  it('does not apply the DPDP duties to a breach known before they came into force', () => {
    const india = line(result, 'IN');
    expect(india.individuals.duty).toBe('not-required');
    expect(india.recipients[0]).toMatchObject({ who: 'Data Protection Board of India', duty: 'not-required', clocks: [] });
  });

  it('says it is not legal advice', () => {
    expect(result.disclaimer).toBe(NOT_LEGAL_ADVICE);
  });
});

describe('assess with data a state law names', () => {
  it('triggers California on a name with a national ID number: residents within 30 days, the Attorney General only above 500', () => {
    const few = run({ subjects: [people('US', 'US-CA', 30, ['name', 'email', 'national_id'])] });
    const california = line(few, 'US-CA');
    expect(california.individuals.duty).toBe('required');
    expect(california.individuals.reasons[0]).toBe('30 of 30 residents had name + national_id exposed');
    expect(california.individuals.clocks[0].due_at).toBe('2019-12-14T09:00:00.000Z');
    expect(california.authority.duty).toBe('not-required');
    expect(california.authority.reasons[0]).toBe('30 residents are affected; this duty starts at 501');

    const many = run({ subjects: [people('US', 'CA', 600, ['name', 'national_id'])] });
    expect(line(many, 'US-CA').authority.duty).toBe('required');
  });

  it('counts only the residents whose own data meets the law, not everyone in the state', () => {
    const mixed = run({ subjects: [people('US', 'US-TX', 200, ['name', 'national_id']), people('US', 'US-TX', 900)] });
    const texas = line(mixed, 'US-TX');
    expect(texas.subjects).toBe(1100);
    expect(texas.individuals.reasons[0]).toBe('200 of 1100 residents had name + national_id exposed');
    expect(texas.authority.duty).toBe('not-required'); // the Attorney General hears of 250 or more
  });

  it('makes Singapore’s breach notifiable by scale alone, but leaves telling people to a judgement of significant harm', () => {
    const singapore = line(run({ subjects: [people('SG', null, 500)] }), 'SG');
    expect(singapore.authority.duty).toBe('required');
    expect(singapore.individuals.duty).toBe('assess');
  });

  it('asks a person to judge significant harm in Singapore under 500 people with data outside the prescribed combinations', () => {
    const singapore = line(run({ subjects: [people('SG', null, 40)] }), 'SG');
    for (const duty of [singapore.authority, singapore.individuals]) {
      expect(duty.duty).toBe('assess');
      expect(duty.reasons[0]).toMatch(/matches none of the combinations/);
      expect(duty.reasons[1]).toMatch(/s\. 26B\(1\)\(a\).*significant harm/);
    }
    expect(singapore.authority.clocks.map((clock) => clock.label)).toEqual(['assessment of the breach', 'notification to the PDPC']);
    const prescribed = line(run({ subjects: [people('SG', null, 40, ['name', 'bank_account'])] }), 'SG');
    expect([prescribed.authority.duty, prescribed.individuals.duty]).toEqual(['required', 'required']);
  });
});

describe('assess for a controller New York’s Department of Financial Services regulates', () => {
  const newYorkers = [people('US', 'US-NY', 20, ['name', 'email', 'national_id'])];
  const dfs = (result: ReturnType<typeof assess>) => sector(result, 'us-nydfs').duties[0];

  it('owes DFS notice 72 hours after awareness (23 NYCRR 500.17), besides the state agencies when residents are told', () => {
    const result = run({ subjects: newYorkers }, { regulatedBy: ['us-nydfs'] });
    expect(dfs(result)).toMatchObject({ who: expect.stringContaining('Department of Financial Services'), duty: 'required', url: 'https://dfs.ny.gov/industry_guidance/cybersecurity' });
    expect(dfs(result).clocks).toEqual([expect.objectContaining({ due_at: '2019-11-17T09:00:00.000Z', hours_left: 48, overdue: false, basis: expect.stringContaining('500.17(a)(1)') })]);
    expect(line(result, 'US-NY').authority.clocks[0]).toMatchObject({ due_at: null, basis: expect.stringContaining('when residents are notified') });
  });

  it('flags the DFS clock overdue once the 72 hours have passed', () => {
    const result = run({ subjects: newYorkers, now: new Date('2019-11-17T09:00:00.001Z') }, { regulatedBy: ['us-nydfs'] });
    expect(dfs(result).clocks[0]).toMatchObject({ overdue: true });
    expect(sector(result, 'us-nydfs').overdue).toBe(true);
    expect(result.overdue).toBe(true);
  });

  it('keeps the DFS clock for data New York’s law does not name: 500.17 turns on the incident, for counsel to judge', () => {
    const result = run({ subjects: [people('US', 'US-NY', 20)] }, { regulatedBy: ['us-nydfs'] });
    expect(line(result, 'US-NY').individuals.duty).toBe('not-required');
    expect(dfs(result).duty).toBe('assess');
    expect(dfs(result).clocks[0].due_at).toBe('2019-11-17T09:00:00.000Z');
  });

  it('owes DFS its 72 hours when no New Yorker is affected: a covered entity’s duty does not depend on where people live', () => {
    const result = run({ subjects: [people('FR', null, 5, ['name', 'email', 'national_id'])] }, { regulatedBy: ['us-nydfs'] });
    expect(result.lines.map((entry) => entry.jurisdiction)).toEqual(['FR']);
    expect(dfs(result)).toMatchObject({ duty: 'required', clocks: [expect.objectContaining({ due_at: '2019-11-17T09:00:00.000Z' })] });
  });

  it('shows no DFS line when the incident does not name the regulator', () => {
    const result = run({ subjects: newYorkers });
    expect(result.sectors).toEqual([]);
    expect(line(result, 'US-NY').recipients.map((recipient) => recipient.who)).toEqual(['Consumer reporting agencies']);
    expect(line(result, 'US-NY').notes.join(' ')).toMatch(/--regulated-by us-nydfs/);
    expect(line(result, 'US-NY').individuals.duty).toBe('required');
  });
});

describe('assess for the sector regimes an incident names', () => {
  const customers = [people('US', 'US-CA', 300), people('DE', 'DE-BY', 250)];

  it('gives each named regime its own line, sorted, with its fixed deadlines counted from awareness', () => {
    const result = run({ subjects: customers }, { regulatedBy: ['us-hipaa', 'eu-nis2', 'ch-ncsc'] });
    expect(result.sectors.map((entry) => entry.regulator)).toEqual(['ch-ncsc', 'eu-nis2', 'us-hipaa']);
    const nis2 = sector(result, 'eu-nis2').duties[0];
    expect(nis2.duty).toBe('assess'); // a significant incident is a judgement
    expect(nis2.clocks.map((clock) => [clock.label, clock.due_at, clock.needs])).toEqual([
      ['early warning', '2019-11-15T09:00:00.000Z', null],
      ['incident notification', '2019-11-17T09:00:00.000Z', null],
      ['final report', null, null],
    ]);
    expect(sector(result, 'ch-ncsc').duties[0].clocks[0]).toMatchObject({ due_at: '2019-11-15T09:00:00.000Z', hours_left: 0, basis: expect.stringContaining('Art. 74e') });
    const hipaa = sector(result, 'us-hipaa');
    expect(hipaa.duties.map((duty) => [duty.who, duty.duty, duty.clocks[0]?.due_at])).toEqual([
      ['The individuals affected (HIPAA)', 'required', '2020-01-13T09:00:00.000Z'],
      ['Secretary of Health and Human Services (HHS Office for Civil Rights)', 'required', '2020-01-13T09:00:00.000Z'],
      ['Prominent media outlets serving the State (HIPAA media notice)', 'required', '2020-01-13T09:00:00.000Z'],
    ]);
    expect(hipaa.sources[0].url).toMatch(/^https:\/\/www\.hhs\.gov\//);
  });

  it('owes the FTC 30 days only from 500 consumers (16 CFR 314.4(j))', () => {
    const ftc = (subjects: SubjectGroup[]) => sector(run({ subjects }, { regulatedBy: ['us-ftc-safeguards'] }), 'us-ftc-safeguards').duties[0];
    expect(ftc(customers)).toMatchObject({ duty: 'required', clocks: [expect.objectContaining({ due_at: '2019-12-14T09:00:00.000Z' })] });
    expect(ftc([people('US', 'US-CA', 499)])).toMatchObject({ duty: 'not-required', clocks: [], reasons: ['499 people are affected; this duty starts at 500'] });
  });

  it('dates DORA’s intermediate report from the initial notification once the incident records it', () => {
    const dora = (reportedAt?: Record<string, string>) => sector(run({ subjects: customers }, { regulatedBy: ['eu-dora'], reportedAt }), 'eu-dora').duties[0].clocks;
    expect(dora()[1]).toMatchObject({ label: 'intermediate report', due_at: null, needs: 'reported_at' });
    expect(dora({ 'eu-dora': '2019-11-14T20:00:00.000Z' })[1]).toMatchObject({ due_at: '2019-11-17T20:00:00.000Z', needs: null });
    expect(dora({ DE: '2019-11-14T20:00:00.000Z' })[1].due_at).toBeNull(); // a report to Germany's authority is not DORA's
  });
});

describe('assess in Vermont, Puerto Rico, Florida and the other US states', () => {
  const named: Category[] = ['name', 'email', 'national_id'];

  it('gives Vermont’s Attorney General 14 business days, counted across weekends and Thanksgiving, and residents 45 days', () => {
    const vermont = line(run({ subjects: [people('US', 'VT', 3, named)] }), 'US-VT'); // aware on a Thursday
    expect(vermont.authority).toMatchObject({ name: expect.stringContaining('Vermont Attorney General'), duty: 'required' });
    // Weekdays alone would give 4 December; Thanksgiving (28 November 2019) is no business day.
    expect(vermont.authority.clocks[0]).toMatchObject({ label: 'preliminary notice', due_at: '2019-12-05T09:00:00.000Z' });
    expect(vermont.authority.clocks[1]).toMatchObject({ due_at: null, basis: expect.stringContaining('when consumers are notified') });
    expect(vermont.individuals.clocks[0].due_at).toBe('2019-12-29T09:00:00.000Z');
    expect(vermont.notes.join(' ')).toMatch(/public holidays date-holidays lists for Vermont/);
  });

  it('counts Vermont’s business days in Vermont: Friday night there is Saturday in UTC', () => {
    const fridayNight = '2019-11-16T03:00:00.000Z'; // 22:00 on Friday 15 November in Vermont
    const vermont = line(run({ subjects: [people('US', 'US-VT', 3, named)] }, { awareAt: fridayNight }), 'US-VT');
    expect(vermont.authority.clocks[0].due_at).toBe('2019-12-07T03:00:00.000Z'); // counted in UTC it would be 6 December
  });

  it('sends records whose country is PR to Puerto Rico’s rules: the Department of Consumer Affairs within 10 days', () => {
    const result = run({ subjects: [people('PR', null, 4, named), people('US', 'PR', 2, named)] });
    expect(result.lines.map((entry) => entry.jurisdiction)).toEqual(['US-PR']);
    const puertoRico = line(result, 'US-PR');
    expect(puertoRico).toMatchObject({ subjects: 6, regime: 'us-state' });
    expect(puertoRico.authority).toMatchObject({ name: expect.stringContaining('DACO'), duty: 'required' });
    expect(puertoRico.authority.clocks[0]).toMatchObject({ due_at: '2019-11-24T09:00:00.000Z', basis: expect.stringContaining('non-extendable') });
    expect(puertoRico.individuals).toMatchObject({ duty: 'required', clocks: [expect.objectContaining({ due_at: null })] });
    expect(puertoRico.notice.variant).toBe('default'); // written in Spanish too, unlike the California variant
  });

  it('counts the residents of other US territories under the US fallback, with its clocks, not as an unknown country', () => {
    const guam = line(run({ subjects: [people('GU', null, 2)] }), 'US');
    expect(guam).toMatchObject({ regime: 'us-fallback', subjects: 2 });
    expect(guam.authority.clocks[0].due_at).toBe('2019-12-14T09:00:00.000Z');
  });

  it('gives the fallback 30 days to an authority and to residents, the shortest fixed periods of the states without a file', () => {
    const fallback = line(run({ subjects: [people('US', 'US-CO', 5)] }), 'US');
    expect(fallback.authority.clocks[0]).toMatchObject({ due_at: '2019-12-14T09:00:00.000Z', basis: expect.stringContaining('Colorado') });
    expect(fallback.individuals.clocks[0]).toMatchObject({ due_at: '2019-12-14T09:00:00.000Z', basis: expect.stringContaining('Maine') });
  });

  it('keeps Florida’s Department and residents at 30 days; the 15-day extension is named on the residents’ notice only', () => {
    const florida = line(run({ subjects: [people('US', 'US-FL', 600, named)] }), 'US-FL');
    expect(florida.authority.duty).toBe('required');
    expect(florida.authority.clocks[0].due_at).toBe('2019-12-14T09:00:00.000Z');
    expect(florida.authority.clocks[0].basis).not.toMatch(/15/);
    expect(florida.individuals.clocks[0]).toMatchObject({ due_at: '2019-12-14T09:00:00.000Z', basis: expect.stringContaining('15 more days') });
  });
});

describe('assess with an EU establishment (one-stop-shop)', () => {
  const result = run({}, { controllerCountry: 'US', euEstablishment: 'ie' });

  it('makes the DPC the lead authority for every EU resident, even with none in Ireland', () => {
    expect(result.lead_authority).toEqual({ jurisdiction: 'IE', name: 'Data Protection Commission (DPC)' });
    const ireland = line(result, 'IE');
    expect(ireland.subjects).toBe(0);
    expect(ireland.authority).toMatchObject({ role: 'lead', duty: 'required' });
    expect(ireland.authority.reasons[0]).toMatch(/covers all 290 EU\/EEA residents/);
    expect(ireland.authority.clocks[0].due_at).toBe('2019-11-17T09:00:00.000Z');
  });

  it('still lists each EU country’s people, their authority not required separately', () => {
    const france = line(result, 'FR');
    expect(france.subjects).toBe(120);
    expect(france.authority).toMatchObject({ role: 'via-lead', duty: 'not-required', clocks: [] });
    expect(france.individuals.duty).toBe('assess');
  });

  it('keeps the UK outside the one-stop-shop', () => {
    expect(line(result, 'GB').authority).toMatchObject({ role: 'own', duty: 'required' });
  });

  it('takes the controller’s own EU country as its establishment', () => {
    expect(run({}, { controllerCountry: 'FR' }).lead_authority?.jurisdiction).toBe('FR');
  });

  it('refuses an establishment outside the EU/EEA', () => {
    expect(() => run({}, { euEstablishment: 'GB' })).toThrow(/'GB' is not an EU\/EEA country code/);
  });
});

describe('assess on incomplete input', () => {
  it('lists people of a country without rules, and of no known country, for a human to assess', () => {
    const result = run({ subjects: [people('MX', null, 3), people(null, null, 2), people('France', null, 1)] });
    expect(result.lines.map((entry) => [entry.jurisdiction, entry.subjects, entry.authority.duty])).toEqual([
      ['MX', 3, 'assess'],
      ['ZZ', 3, 'assess'],
    ]);
  });

  it('refuses an aware-at without a time zone', () => {
    expect(() => run({}, { awareAt: '2019-11-14 09:00' })).toThrow(/aware-at/);
  });
});

describe('assess with commencement dates not yet certain: India’s DPDP Rules', () => {
  const indians = [people('IN', null, 10)];
  const india = (awareAt: string, inForceFrom?: Record<string, string>) => line(run({ subjects: indians, inForceFrom }, { awareAt }), 'IN');
  const board = (entry: JurisdictionLine) => entry.recipients.find((recipient) => recipient.who === 'Data Protection Board of India')!;

  it('states the commencement it assumes and its source, even when the duty applies', () => {
    const inForce = india('2027-06-01T09:00:00Z');
    expect(inForce.individuals.duty).toBe('required');
    expect(inForce.individuals.reasons[0]).toMatch(/^in force from 2027-05-13, the commencement Tocsin assumes \(DPDP Rules 2025 r\. 1.*S\.S\. Rana/);
    expect(board(inForce).clocks.map((clock) => clock.label)).toEqual(['intimation', 'detailed report']);
  });

  it('makes the Board and the people "assess", not "not required", from the earliest proposed commencement until it is confirmed', () => {
    const between = india('2026-11-13T00:00:00Z');
    expect([between.individuals.duty, board(between).duty]).toEqual(['assess', 'assess']);
    expect(board(between).reasons[1]).toMatch(/an earlier commencement, 2026-11-13, has been proposed.*counsel must check/);
    expect(board(between).clocks[1]).toMatchObject({ label: 'detailed report', due_at: '2026-11-16T00:00:00.000Z' });
    expect(india('2026-11-12T23:59:59Z').individuals.duty).toBe('not-required');
  });

  it('follows the date the user confirms, either way', () => {
    expect(india('2026-12-01T09:00:00Z', { IN: '2026-11-13' }).individuals).toMatchObject({ duty: 'required', reasons: [expect.stringContaining('in force from 2026-11-13, the commencement given with --in-force-from'), expect.any(String), expect.any(String)] });
    const notYet = india('2026-12-01T09:00:00Z', { IN: '2027-05-13' });
    expect(board(notYet)).toMatchObject({ duty: 'not-required', clocks: [] });
    expect(board(notYet).reasons[1]).toBe('this breach counts from 2026-12-01, before it');
  });
});

describe('assess in Brazil: Resolution CD/ANPD 15/2024', () => {
  const brazilians = [people('BR', null, 30, ['name', 'email', 'payment_card_number'])];
  const brazil = (incident: Partial<AssessInput['incident']> = {}) => line(run({ subjects: brazilians }, incident), 'BR');

  it('counts 3 working days past the Proclamation of the Republic (15 November), for the ANPD and for the people', () => {
    const entry = brazil();
    expect(entry.authority.clocks[0].due_at).toBe('2019-11-20T09:00:00.000Z');
    expect(entry.individuals.clocks[0].due_at).toBe('2019-11-20T09:00:00.000Z');
  });

  it('owes the ANPD the declaration that people were told 3 working days after their deadline (art. 9 § 4)', () => {
    const declaration = brazil().recipients.find((recipient) => recipient.who.includes('art. 9 § 4'))!;
    expect(declaration.duty).toBe('assess'); // the Resolution's risk test
    // 6 working days from Thursday 14 November 2019, skipping the 15th: 18–22 November, then Monday 25th.
    expect(declaration.clocks[0]).toMatchObject({ due_at: '2019-11-25T09:00:00.000Z', basis: expect.stringContaining('art. 9 § 4') });
  });

  it('names the public notice for people who cannot be told directly (art. 9 § 3), for a person to check', () => {
    const notice = brazil().recipients.find((recipient) => recipient.who.includes('art. 9 § 3'))!;
    expect(notice).toMatchObject({ duty: 'assess', clocks: [expect.objectContaining({ label: 'public notice, kept for at least 3 months', due_at: null })] });
    expect(notice.reasons.join(' ')).toMatch(/Brazilian residents Tocsin could not reach/);
  });

  it('dates the 20-working-day complement from the report to the ANPD once the incident records it', () => {
    expect(brazil().authority.clocks[1]).toMatchObject({ label: 'complement', due_at: null, needs: 'reported_at' });
    // Filed Wednesday 20 November 2019 (Dia da Consciência Negra was no national holiday then): 20 working days → 18 December.
    expect(brazil({ reportedAt: { BR: '2019-11-20T12:00:00Z' } }).authority.clocks[1].due_at).toBe('2019-12-18T12:00:00.000Z');
  });

  it('asks the notice to people only for what art. 9 asks: neither the head count nor the incident date', () => {
    const content = brazil().notice.content.join('\n');
    expect(content).toMatch(/date the incident became known \(art\. 9, VI\)/);
    expect(content).not.toMatch(/^the number of data subjects/m);
    expect(content).toMatch(/belong in the\s+ANPD communication/);
  });
});

describe('assess clocks that count from a later event or rest on a regulator’s reading', () => {
  it('dates Singapore’s 3 days to the PDPC once the incident records when the breach was assessed', () => {
    const singaporeans = [people('SG', null, 600)];
    const pdpc = (assessedAt?: string) => line(run({ subjects: singaporeans }, { assessedAt }), 'SG').authority.clocks[1];
    expect(pdpc()).toMatchObject({ due_at: null, needs: 'assessed_at' });
    expect(pdpc('2019-11-20T10:00:00.000Z')).toMatchObject({ due_at: '2019-11-23T10:00:00.000Z', needs: null, assumption: null });
  });

  it('shows Japan’s preliminary report at the PPC’s 3–5 days, labelled a working assumption, and the 30-day final report as law', () => {
    const japan = line(run({ subjects: [people('JP', null, 5, ['name', 'payment_card_number'])] }), 'JP');
    expect(japan.authority.clocks[0]).toMatchObject({ label: 'preliminary report (速報)', due_at: '2019-11-17T09:00:00.000Z', basis: expect.stringContaining('Art. 8(1)') });
    expect(japan.authority.clocks[0].assumption).toMatch(/^working assumption, not the law's period: the PPC's guidelines/);
    expect(japan.authority.clocks[1]).toMatchObject({ due_at: '2019-12-14T09:00:00.000Z', assumption: null });
  });
});

describe('assess in Germany: the Land authority where the controller is established (§ 40 BDSG)', () => {
  const germans = [people('DE', 'DE-BE', 12)];

  it('names the Land authority of the controller’s region, with its channel and why', () => {
    const bavarian = line(run({ subjects: germans }, { controllerCountry: 'DE', controllerRegion: 'DE-BY' }), 'DE');
    expect(bavarian.authority).toMatchObject({ name: 'Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)', url: 'https://www.lda.bayern.de/', role: 'lead', duty: 'required' });
    expect(bavarian.notes[0]).toMatch(/^Bayerisches Landesamt .* is competent because the controller is established in DE-BY: .*§ 40\(1\) and \(2\) BDSG/);
    // Where the affected people live does not matter: a Berliner's data, a Bavarian controller.
    const rhineland = line(run({ subjects: germans }, { controllerCountry: 'DE', controllerRegion: 'DE-RP' }), 'DE');
    expect(rhineland.authority.url).toMatch(/^https:\/\/fms\.service24\.rlp\.de\//);
  });

  it('makes the Land authority the one-stop-shop lead for a controller established in Germany', () => {
    const result = run({ subjects: [...germans, people('FR', null, 3)] }, { controllerCountry: 'DE', controllerRegion: 'DE-NW' });
    expect(result.lead_authority).toEqual({ jurisdiction: 'DE', name: 'Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen (LDI NRW)' });
    expect(line(result, 'FR').authority.reasons[0]).toContain('LDI NRW');
  });

  it('says how to name the Land when the region is not given, rather than naming the federal BfDI', () => {
    const unnamed = line(run({ subjects: germans }, { controllerCountry: 'DE' }), 'DE');
    expect(unnamed.authority.name).toMatch(/^The data protection authority of the Land where the controller is established/);
    expect(unnamed.authority.filing).toContain('--controller-region DE-XX');
  });

  it('has an authority for each of the 16 Länder', () => {
    const germany = rules.jurisdictions.get('DE')!;
    expect(Object.keys(germany.regional_authorities!.by_region).sort()).toEqual(
      ['DE-BB', 'DE-BE', 'DE-BW', 'DE-BY', 'DE-HB', 'DE-HE', 'DE-HH', 'DE-MV', 'DE-NI', 'DE-NW', 'DE-RP', 'DE-SH', 'DE-SL', 'DE-SN', 'DE-ST', 'DE-TH'],
    );
  });
});

describe('assess a sector regime before anyone affected is known', () => {
  it('asks a person to judge, with the regime’s test, instead of answering "not required" for want of people', () => {
    const result = run({ subjects: [] }, { regulatedBy: ['us-nydfs', 'us-ftc-safeguards'] });
    for (const entry of result.sectors) {
      expect(entry.duties[0].duty, entry.regulator).toBe('assess');
      expect(entry.duties[0].reasons[0], entry.regulator).toMatch(/no scope run has found anyone affected yet/);
    }
    expect(sector(result, 'us-nydfs').duties[0].clocks[0].due_at).toBe('2019-11-17T09:00:00.000Z');
  });
});

describe('assess as of another instant', () => {
  it('reads every clock at asOf, not now, and says so beside when it was made', () => {
    const years = new Date('2026-12-03T12:00:00.000Z');
    const today = run({ now: years }, { controllerCountry: 'CN' });
    expect(line(today, 'FR').authority.clocks[0]).toMatchObject({ overdue: true });
    expect(today).toMatchObject({ overdue: true, as_of: years.toISOString(), assessed_at: years.toISOString() });

    const then = run({ now: years, asOf: dayLater }, { controllerCountry: 'CN' });
    expect(line(then, 'FR').authority.clocks[0]).toMatchObject({ due_at: '2019-11-17T09:00:00.000Z', hours_left: 48, overdue: false });
    expect(then).toMatchObject({ as_of: dayLater.toISOString(), assessed_at: years.toISOString() });
  });
});
