import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuleBook } from './load.ts';

const book = loadRuleBook();

const EU = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];
const EEA_EFTA = ['IS', 'LI', 'NO'];
const OTHERS = ['GB', 'CH', 'CA', 'AU', 'IN', 'BR', 'SG', 'JP', 'US-CA', 'US-NY', 'US-MA', 'US-TX', 'US-FL', 'US-WA', 'US-IL', 'US-VT', 'US-PR', 'US'];

describe('the shipped jurisdiction rules', () => {
  it('cover the 27 EU and 3 EEA countries, each with its own supervisory authority', () => {
    for (const code of [...EU, ...EEA_EFTA]) {
      const rules = book.jurisdictions.get(code);
      expect(rules?.regime, code).toBe('eu-gdpr');
      expect(rules?.authority.url, code).toMatch(/^https?:\/\//);
    }
    const authorities = new Set([...EU, ...EEA_EFTA].map((code) => book.jurisdictions.get(code)?.authority.name));
    expect(authorities.size).toBe(30);
  });

  it('cover the UK, Switzerland, Canada, Australia, India, Brazil, Singapore, Japan, eight US states, Puerto Rico and a US fallback', () => {
    expect([...book.jurisdictions.keys()].sort()).toEqual([...EU, ...EEA_EFTA, ...OTHERS].sort());
  });

  it('carry sources and a last-reviewed date in every file', () => {
    for (const rules of book.jurisdictions.values()) {
      expect(rules.sources.length, rules.jurisdiction).toBeGreaterThan(0);
      expect(rules.last_reviewed, rules.jurisdiction).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('give country files the shared GDPR rules and add their own notes and sources', () => {
    const germany = book.jurisdictions.get('DE');
    expect(germany?.authority.deadlines[0]).toMatchObject({ hours: 72 });
    expect(germany?.confidence).toBe('low');
    expect(germany?.notes.some((note) => note.includes('§ 40 BDSG'))).toBe(true);
    expect(germany?.sources.some((source) => source.url.includes('eur-lex'))).toBe(true);
  });

  it('name the model notice format of California and the prohibitions of Massachusetts', () => {
    expect(book.jurisdictions.get('US-CA')?.notice).toMatchObject({
      variant: 'us-ca',
      title: 'Notice of Data Breach',
      headings: ['What Happened', 'What Information Was Involved', 'What We Are Doing', 'What You Can Do', 'For More Information'],
    });
    expect(book.jurisdictions.get('US-MA')?.notice).toMatchObject({ variant: 'us-ma', forbids: ['nature_of_breach', 'affected_count'] });
  });

  it('define the sector regimes an incident may name, each with its duties, their sources and what was not confirmed', () => {
    expect([...book.regulators.keys()]).toEqual(['ch-ncsc', 'eu-dora', 'eu-nis2', 'us-ftc-safeguards', 'us-hipaa', 'us-nydfs']);
    expect(book.regulators.get('us-nydfs')).toMatchObject({ name: 'New York State Department of Financial Services (DFS)', covers: expect.stringContaining('23 NYCRR Part 500') });
    expect(book.regulators.get('us-nydfs')?.duties[0].deadlines).toEqual([expect.objectContaining({ hours: 72, from: 'awareness', text: expect.stringContaining('500.17(a)(1)') })]);
    expect(book.jurisdictions.get('US-NY')?.recipients.map((recipient) => recipient.who)).toEqual(['Consumer reporting agencies']);
    for (const [id, regulator] of book.regulators) {
      expect(regulator.sources.length, id).toBeGreaterThan(0);
      for (const duty of regulator.duties) expect(duty.deadlines.length, `${id}: ${duty.who}`).toBeGreaterThan(0);
    }
  });

  it('answer for a country without a file with rules that ask for counsel', () => {
    const mexico = book.rulesFor('MX');
    expect(mexico).toMatchObject({ jurisdiction: 'MX', name: 'Mexico', regime: 'unknown', confidence: 'low' });
    expect(book.rulesFor('ZZ').name).toBe('Country unknown');
  });
});

describe('loadRuleBook on a broken rules directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function rulesDir(files: Record<string, string>): string {
    const path = mkdtempSync(join(dir, 'case-'));
    mkdirSync(join(path, 'regimes'));
    writeFileSync(join(path, 'regimes', 'unknown.yml'), 'regime: unknown\n');
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(path, name)), { recursive: true });
      writeFileSync(join(path, name), text);
    }
    return path;
  }

  it('names the file and the field that is wrong', () => {
    const path = rulesDir({ 'XX.yml': 'jurisdiction: XX\nname: Nowhere\n' });
    expect(() => loadRuleBook(path)).toThrow(/XX\.yml regime: /);
  });

  it('rejects a file whose name is not its jurisdiction', () => {
    const valid = loadRuleBook().jurisdictions.get('GB');
    const path = rulesDir({ 'GR.yml': JSON.stringify(valid) });
    expect(() => loadRuleBook(path)).toThrow(/declares jurisdiction GB; name the file GB\.yml/);
  });

  it('rejects YAML it cannot parse', () => {
    const path = rulesDir({ 'XX.yml': 'name: [unclosed\n' });
    expect(() => loadRuleBook(path)).toThrow(/XX\.yml is not valid YAML/);
  });

  it('rejects a deadline with two periods, or a working assumption with two', () => {
    const japan = loadRuleBook().jurisdictions.get('JP');
    const twoPeriods = { ...japan, authority: { ...japan?.authority, deadlines: [{ label: 'x', text: 'y', hours: 1, days: 1 }] } };
    expect(() => loadRuleBook(rulesDir({ 'JP.yml': JSON.stringify(twoPeriods) }))).toThrow(/JP\.yml authority\.deadlines\.0: give at most one of hours, days, business_days/);
    const twoAssumed = { ...japan, authority: { ...japan?.authority, deadlines: [{ label: 'x', text: 'y', assume: { text: 'z', hours: 1, days: 1 } }] } };
    expect(() => loadRuleBook(rulesDir({ 'JP.yml': JSON.stringify(twoAssumed) }))).toThrow(/JP\.yml authority\.deadlines\.0\.assume: give at most one/);
  });

  it('rejects a sector duty without a trigger of its own: it is judged on everyone affected, not on a jurisdiction’s', () => {
    const dfs = loadRuleBook().regulators.get('us-nydfs');
    const path = rulesDir({ 'regulators/us-nydfs.yml': JSON.stringify({ ...dfs, duties: [{ ...dfs?.duties[0], when: undefined }] }) });
    expect(() => loadRuleBook(path)).toThrow(/us-nydfs\.yml duties\.0\.when: /);
  });

  it('rejects a regulator file not named by an id, or missing a field', () => {
    expect(() => loadRuleBook(rulesDir({ 'regulators/NYDFS.yml': 'name: X\ncovers: Y\n' }))).toThrow(/NYDFS\.yml must be named by the regulator's id/);
    expect(() => loadRuleBook(rulesDir({ 'regulators/us-x.yml': 'name: X\n' }))).toThrow(/us-x\.yml covers: /);
  });
});
