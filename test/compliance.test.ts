import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Assessment } from '../src/compliance/assess.ts';
import { authorityReport, assessIncident, breachRegister } from '../src/compliance/incident-compliance.ts';
import { loadRuleBook } from '../src/compliance/rules/load.ts';
import { clearReportSection, setReportSection, writtenSections } from '../src/compliance/report-sections.ts';
import { renderReport } from '../src/compliance/render-report.ts';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { DEMO_INCIDENT } from '../src/demo/story.ts';
import { auditTrail, verifyAudit } from '../src/incidents/audit.ts';
import { createIncident, getIncident, updateIncident } from '../src/incidents/incidents.ts';
import { importRecords } from '../src/records/import.ts';
import { affectedSubjects, evidenceFiles } from '../src/scoping/results.ts';
import { ruleColumns } from '../src/scoping/scope-file.ts';
import { loadScopeFile, runScope } from '../src/scoping/scope-run.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';

const shop = mkdtempSync(join(tmpdir(), 'tocsin-compliance-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
const logs = () => ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
beforeAll(() => generateDemoShop({ outDir: shop, orders: 4000, logLines: 30_000, seed: 3 }));

const AWARE = Date.parse(DEMO_INCIDENT.aware_at);
const hoursAfterAware = (iso: string | null) => (iso === null ? null : (Date.parse(iso) - AWARE) / 3_600_000);
const dfsLine = (assessment: Assessment) => assessment.sectors.find((sector) => sector.regulator === 'us-nydfs')?.duties[0];

describeEachDatabase('compliance on the demo shop', (database) => {
  let ctx: OpenContext;
  let id: string;
  beforeAll(async () => {
    // An hour after the shop became aware: every clock still running.
    ctx = await database().context({ now: () => new Date(AWARE + 3_600_000) });
    ({ id } = await createIncident(ctx, DEMO_INCIDENT));
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'] });
    await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: logs() });
  });
  afterAll(() => ctx?.close());

  it('gives GDPR and UK authorities aware-at + 72 h, CERT-In 6 h, and leaves California untriggered', async () => {
    const assessment = await assessIncident(ctx, id);
    const line = (code: string) => assessment.lines.find((l) => l.jurisdiction === code)!;
    for (const code of ['FR', 'DE', 'ES', 'IT', 'GB']) {
      expect(line(code).authority.duty, code).toBe('required');
      expect(hoursAfterAware(line(code).authority.clocks[0].due_at), code).toBe(72);
      expect(line(code).overdue).toBe(false);
    }
    expect(hoursAfterAware(line('IN').authority.clocks[0].due_at)).toBe(6);
    expect(line('US-CA')).toMatchObject({ authority: { duty: 'not-required' }, individuals: { duty: 'not-required' } });
    expect(assessment.overdue).toBe(false);

    const { subjects } = await affectedSubjects(ctx, id);
    expect(line('FR').subjects).toBe(subjects.filter((s) => s.country === 'FR').length);
    expect(assessment.lines.reduce((sum, l) => sum + l.subjects, 0)).toBe(subjects.length);
  });

  it('takes the lead authority from the EU establishment', async () => {
    await updateIncident(ctx, id, { controller_country: 'GB', eu_establishment: 'IE' });
    const assessment = await assessIncident(ctx, id);
    expect(assessment.lead_authority).toMatchObject({ jurisdiction: 'IE' });
    expect(assessment.lines.find((l) => l.jurisdiction === 'FR')!.authority.role).toBe('via-lead');
    await updateIncident(ctx, id, { eu_establishment: 'US' });
    await expect(assessIncident(ctx, id)).rejects.toMatchObject({ code: 'NOT_EEA_ESTABLISHMENT', kind: 'invalid' });
    await updateIncident(ctx, id, { eu_establishment: null });
  });

  it('stores the regulators that license the controller, and owes DFS 72 hours only while the incident names it', async () => {
    const { incident, changed } = await updateIncident(ctx, id, { regulated_by: [' US-NYDFS', 'us-nydfs,'] });
    expect(changed).toEqual(['regulated_by']);
    expect(incident.regulated_by).toBe('us-nydfs');
    expect((await getIncident(ctx, id)).regulated_by).toBe('us-nydfs');
    const regulated = dfsLine(await assessIncident(ctx, id))!;
    expect(regulated.duty).toBe('assess'); // order data is not what § 899-aa names, but 500.17 turns on the incident
    expect(hoursAfterAware(regulated.clocks[0].due_at)).toBe(72);

    await expect(updateIncident(ctx, id, { regulated_by: 'us-nydfs,us-sec' })).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', kind: 'invalid', message: expect.stringContaining('"us-sec" is not a regulator') });
    await updateIncident(ctx, id, { regulated_by: null });
    expect(dfsLine(await assessIncident(ctx, id))).toBeUndefined();
    const changes = (await auditTrail(ctx, id)).map((entry) => JSON.parse(entry.details).changes?.regulated_by).filter(Boolean);
    expect(changes).toEqual([{ before: null, after: 'us-nydfs' }, { before: 'us-nydfs', after: null }]);
  });

  it('stores the controller’s region, names its German Land authority, in the assessment and the report, and refuses a region outside its country', async () => {
    await updateIncident(ctx, id, { controller_country: 'de', controller_region: ' de-hh ' });
    expect(await getIncident(ctx, id)).toMatchObject({ controller_country: 'DE', controller_region: 'DE-HH' });
    const germany = (await assessIncident(ctx, id)).lines.find((l) => l.jurisdiction === 'DE')!;
    expect(germany.authority).toMatchObject({ name: expect.stringContaining('(HmbBfDI)'), url: 'https://datenschutz-hamburg.de/', role: 'lead' });
    expect((await authorityReport(ctx, id, 'DE', 'initial')).authority.name).toContain('(HmbBfDI)');
    await expect(updateIncident(ctx, id, { controller_country: 'FR' })).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', message: "controller-region: DE-HH is not in the controller's country FR; correct one of them" });
    await expect(updateIncident(ctx, id, { controller_region: 'Bavaria' })).rejects.toMatchObject({ message: expect.stringContaining('controller-region: use an ISO 3166-2 code') });
    await updateIncident(ctx, id, { controller_country: null, controller_region: null });
    expect((await assessIncident(ctx, id)).lines.find((l) => l.jurisdiction === 'DE')!.authority.name).toMatch(/^The data protection authority of the Land/);
  });

  it('stores when the breach was assessed and when each initial report went out, and dates the clocks that count from them', async () => {
    const aware = DEMO_INCIDENT.aware_at;
    const later = (hours: number) => new Date(AWARE + hours * 3_600_000).toISOString();
    const { incident, changed } = await updateIncident(ctx, id, { assessed_at: later(30), reported_at: [`eu-dora=${later(20)}`, `BR=${later(50)}`], regulated_by: 'eu-dora' });
    expect(changed).toEqual(['regulated_by', 'assessed_at', 'reported_at']);
    expect(incident).toMatchObject({ assessed_at: later(30), reported_at: `BR=${later(50)},eu-dora=${later(20)}` });
    expect(await getIncident(ctx, id)).toMatchObject({ assessed_at: later(30), reported_at: `BR=${later(50)},eu-dora=${later(20)}` });
    const dora = (await assessIncident(ctx, id)).sectors[0].duties[0].clocks;
    expect(dora.map((clock) => hoursAfterAware(clock.due_at))).toEqual([24, 20 + 72, null]);

    await expect(updateIncident(ctx, id, { assessed_at: '2019-11-13T00:00:00Z' })).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', message: expect.stringMatching(/^assessed-at: 2019-11-13T00:00:00\.000Z is before aware-at/) });
    await expect(updateIncident(ctx, id, { aware_at: later(60) })).rejects.toMatchObject({ message: expect.stringMatching(/^assessed-at: .* is before aware-at/) });
    await expect(updateIncident(ctx, id, { reported_at: 'br=2019-11-20T00:00:00Z' })).rejects.toMatchObject({ message: expect.stringContaining("'br=2019-11-20T00:00:00Z' is not CODE=INSTANT") });
    await expect(updateIncident(ctx, id, { reported_at: 'us-sec=2019-11-20T00:00:00Z' })).rejects.toMatchObject({ message: expect.stringContaining('reported-at: "us-sec" is not a sector regime') });
    await expect(updateIncident(ctx, id, { reported_at: 'BR=2019-11-20' })).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', message: expect.stringContaining('reported-at BR') });
    expect((await getIncident(ctx, id)).reported_at).toBe(`BR=${later(50)},eu-dora=${later(20)}`); // refusals change nothing

    await updateIncident(ctx, id, { assessed_at: null, reported_at: null, regulated_by: null });
    const cleared = await getIncident(ctx, id);
    expect([cleared.assessed_at, cleared.reported_at, cleared.aware_at]).toEqual([null, null, new Date(aware).toISOString()]);
    const trail = (await auditTrail(ctx, id)).map((entry) => JSON.parse(entry.details).changes?.reported_at).filter(Boolean);
    expect(trail).toEqual([{ before: null, after: `BR=${later(50)},eu-dora=${later(20)}` }, { before: `BR=${later(50)},eu-dora=${later(20)}`, after: null }]);
  });

  it('reports the exact counts of the latest scope run and the SHA-256 of every evidence file', async () => {
    const head = await getIncident(ctx, id);
    const report = await authorityReport(ctx, id, 'fr', 'initial', { locale: 'en' });
    const markdown = renderReport(report, 'md');
    // The audit head it was made at, as a checkpoint a copy of the report can be checked against.
    expect(markdown).toContain(`**Audit trail checkpoint:** tocsin-audit-checkpoint/1 incident=${id} seq=${head.audit_seq} hash=${head.audit_hash} `);
    expect(await verifyAudit(ctx, id, { text: markdown, source: 'report.md' })).toMatchObject({ intact: true, checkpoints: 1 });
    const { subjects } = await affectedSubjects(ctx, id);
    const records = subjects.reduce((sum, s) => sum + s.records.length, 0);
    const french = subjects.filter((s) => s.country === 'FR');
    expect(markdown).toContain(`**Approximate number of data subjects, all jurisdictions:** ${subjects.length}`);
    expect(markdown).toContain(`**Approximate number of data subjects in France:** ${french.length}`);
    expect(markdown).toContain(`**Approximate number of personal data records, all jurisdictions:** ${records}`);
    for (const file of await evidenceFiles(ctx, id)) expect(markdown).toContain(file.sha256);
    expect(report.needs_human).toBeGreaterThan(0);
    expect(JSON.parse(renderReport(report, 'json'))).toMatchObject({ jurisdiction: 'FR', phase: 'initial' });
  });

  it("writes each authority's report in its language, with that language version's Art. 33(3) terms", async () => {
    const terms = {
      FR: ['Nature de la violation de données à caractère personnel', 'Nom et coordonnées du délégué à la protection des données', 'du RGPD'],
      DE: ['Beschreibung der Art der Verletzung des Schutzes personenbezogener Daten', 'Datenschutzbeauftragten oder einer sonstigen Anlaufstelle', 'DSGVO'],
      ES: ['Naturaleza de la violación de la seguridad de los datos personales', 'delegado de protección de datos', 'del RGPD'],
      IT: ['Natura della violazione dei dati personali', 'responsabile della protezione dei dati', 'del RGPD'],
      IE: ['Nature of the personal data breach', 'data protection officer', 'GDPR Art. 33(3)(a)'],
    };
    for (const [code, expected] of Object.entries(terms)) {
      const report = await authorityReport(ctx, id, code, 'initial');
      expect(report.language, code).toBe(code === 'IE' ? 'en' : code.toLowerCase());
      const markdown = renderReport(report, 'md');
      for (const term of expected) expect(markdown, code).toContain(term);
    }
    expect((await authorityReport(ctx, id, 'FR', 'initial', { locale: 'de-AT' })).language).toBe('de');
    await expect(authorityReport(ctx, id, 'FR', 'initial', { locale: 'nl' })).rejects.toMatchObject({ code: 'UNKNOWN_REPORT_LOCALE', kind: 'invalid' });
  });

  it("gives the lead authority's report the EU/EEA total and every member state's figures; the others stay per country", async () => {
    await updateIncident(ctx, id, { controller_country: 'GB', eu_establishment: 'IE' });
    const { subjects } = await affectedSubjects(ctx, id);
    const book = loadRuleBook();
    const eea = subjects.filter((subject) => subject.country !== null && book.rulesFor(subject.country).regime === 'eu-gdpr');
    expect(eea.length).toBeGreaterThan(0);
    const lead = await authorityReport(ctx, id, 'IE', 'initial');
    expect(lead.lead).toBe(true);
    const section = lead.sections.find((entry) => entry.key === 'subjects')!;
    expect(section.facts).toContainEqual({ label: 'Approximate number of data subjects in the EU/EEA', value: eea.length });
    const rows = section.table!.rows;
    expect(rows.reduce((sum, row) => sum + Number(row[1]), 0)).toBe(eea.length);
    expect(rows).toContainEqual(['France (FR)', subjects.filter((subject) => subject.country === 'FR').length, expect.any(Number)]);
    expect(rows.some((row) => String(row[0]).includes('(GB)'))).toBe(false); // the UK is outside the one-stop shop
    expect(renderReport(lead, 'md')).toContain('Lead supervisory authority under the one-stop-shop mechanism (GDPR Art. 56)');
    const french = await authorityReport(ctx, id, 'FR', 'initial');
    expect(french.lead).toBe(false);
    expect(french.sections.find((entry) => entry.key === 'subjects')!.table).toBeNull();
    expect(renderReport(french, 'md')).not.toContain('chef de file');
    await updateIncident(ctx, id, { controller_country: null, eu_establishment: null });
  });

  it('fills a section a person wrote, per language, replaces and clears it, in the audit trail with its hash and never its text', async () => {
    const text = 'Les clients concernés risquent de recevoir des courriels d’hameçonnage.';
    expect(await setReportSection(ctx, id, 'consequences', 'fr', text)).toEqual({ replaced: false });
    let report = await authorityReport(ctx, id, 'FR', 'initial');
    expect(report.sections.find((entry) => entry.key === 'consequences')).toMatchObject({ written: [text], needs_human: false, prompt: null });
    expect(report.unfilled).not.toContain('consequences');
    expect((await authorityReport(ctx, id, 'FR', 'initial', { locale: 'en' })).unfilled).toContain('consequences'); // written in French only

    expect(await setReportSection(ctx, id, 'consequences', 'fr', `${text}\n\nEt des appels frauduleux.`)).toEqual({ replaced: true });
    expect(await setReportSection(ctx, id, 'consequences', 'fr', `${text}\n\nEt des appels frauduleux.`)).toEqual({ replaced: false }); // unchanged: nothing to record
    report = await authorityReport(ctx, id, 'FR', 'initial');
    expect(report.sections.find((entry) => entry.key === 'consequences')!.written).toEqual([text, 'Et des appels frauduleux.']);
    expect(await writtenSections(ctx, id)).toEqual([{ section: 'consequences', locale: 'fr', text: `${text}\n\nEt des appels frauduleux.`, updated_at: expect.any(String), updated_by: ctx.actor }]);

    await clearReportSection(ctx, id, 'consequences', 'fr');
    expect((await authorityReport(ctx, id, 'FR', 'initial')).unfilled).toContain('consequences');
    await expect(clearReportSection(ctx, id, 'consequences', 'fr')).rejects.toMatchObject({ code: 'NO_REPORT_SECTION', kind: 'invalid' });

    const trail = (await auditTrail(ctx, id)).filter((entry) => entry.action.startsWith('report.section'));
    expect(trail.map((entry) => [entry.action, JSON.parse(entry.details)])).toEqual([
      ['report.section_set', { section: 'consequences', locale: 'fr', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), characters: text.length, replaced: false }],
      ['report.section_set', { section: 'consequences', locale: 'fr', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), characters: text.length + 27, replaced: true }],
      ['report.section_cleared', { section: 'consequences', locale: 'fr' }],
    ]);
    expect(trail.map((entry) => entry.details).join()).not.toContain('hameçonnage');
    expect(await verifyAudit(ctx, id)).toMatchObject({ intact: true });
  });

  it('states what changed in a complementary report, and lists the incident in the register', async () => {
    await expect(authorityReport(ctx, id, 'GB', 'complementary')).rejects.toMatchObject({ code: 'NO_INITIAL_REPORT' });
    await runScope(ctx, id, { rulesPath: join(shop, 'scope.yml'), logs: logs().slice(1) });
    const complementary = renderReport(await authorityReport(ctx, id, 'FR', 'complementary'), 'md');
    expect(complementary).toContain('Éléments nouveaux depuis la notification initiale');
    const register = await breachRegister(ctx);
    expect(register.map((entry) => entry.incident_id)).toContain(id);
  });
});

describeEachDatabase('tocsin assess and report', (database) => {
  const run = (...args: string[]) => tocsinMain(args, { database: database().config });
  let ctx: OpenContext;
  let id: string;
  // The incident the commands assess and report on, made, imported and scoped in this process (the CLI's own tests spawn those commands).
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createIncident(ctx, { title: 'x', aware_at: '2019-11-14T16:00:00Z' }));
    const rules = join(shop, 'scope.yml');
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: rules, logs: logs() });
  });
  afterAll(() => ctx?.close());

  it('prints the assessment contract as JSON and writes a report file', async () => {
    const assessed = await run('assess', id, '--json');
    expect(assessed.status).toBe(0);
    const fr = JSON.parse(assessed.stdout).jurisdictions.find((j: { jurisdiction: string }) => j.jurisdiction === 'FR');
    expect(Object.keys(fr)).toEqual(expect.arrayContaining(['jurisdiction', 'authority', 'authority_required', 'authority_deadline', 'individuals', 'individuals_deadline', 'subjects', 'records', 'reasons', 'sources']));
    expect(fr).toMatchObject({ authority_required: true, authority_deadline: '2019-11-17T16:00:00.000Z', individuals: 'assess' });
    const out = join(shop, `report-${database().dialect}.html`);
    expect((await run('report', id, '--jurisdiction', 'FR', '--format', 'html', '--out', out)).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('CNIL');
    expect(await run('audit', id, '--verify', '--against', out)).toMatchObject({ status: 0, stdout: expect.stringContaining('holds the entries its checkpoint(s) saw') });
    expect(await run('report', id, '--jurisdiction', 'XX')).toMatchObject({ status: 2 });
    // --json on every command that reports something.
    expect(JSON.parse((await run('report', id, '--jurisdiction', 'FR', '--json')).stdout)).toMatchObject({ authority: { name: expect.stringContaining('CNIL') } });
    // --preview: the same report, only looked at, so the trail does not grow.
    const trailLength = async () => (await auditTrail(ctx, id)).length;
    const before = await trailLength();
    expect((await run('report', id, '--jurisdiction', 'FR', '--preview')).stdout).toContain('CNIL');
    expect(await trailLength()).toBe(before);
    await run('report', id, '--jurisdiction', 'FR');
    expect(await trailLength()).toBe(before + 1);
    expect(Array.isArray(JSON.parse((await run('register', '--json')).stdout))).toBe(true);
  });

  it('names the regulators of the controller with --regulated-by, and lists DFS’s deadline below the jurisdictions, wherever the people live', async () => {
    const created = (await run('incident', 'create', '--title', 'y', '--aware-at', '2019-11-14T16:00:00Z', '--regulated-by', 'us-nydfs')).stdout.trim();
    expect(JSON.parse((await run('incident', 'show', created, '--json')).stdout).regulated_by).toBe('us-nydfs');

    expect(await run('incident', 'update', id, '--regulated-by', 'us-nydfs', '--regulated-by', 'US-NYDFS')).toMatchObject({ status: 0, stderr: `updated ${id}: regulated_by\n` });
    expect((await getIncident(ctx, id)).regulated_by).toBe('us-nydfs');
    expect((await run('assess', id)).stdout).toMatch(/RECIPIENT DUTY[\s\S]*us-nydfs +assess +2019-11-17T16:00:00\.000Z .*Department of Financial Services/);

    const refused = await run('incident', 'update', id, '--regulated-by', 'nydfs');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/regulated-by: "nydfs" is not a regulator Tocsin has rules for; name one of ch-ncsc .*us-nydfs \(New York State Department of Financial Services \(DFS\)\)/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user's mistake
    expect((await run('incident', 'update', id, '--regulated-by', '')).status).toBe(0);
    expect((await getIncident(ctx, id)).regulated_by).toBeNull();
    expect((await run('assess', id)).stdout).not.toContain('Department of Financial Services');
  });

  it('shows sector regimes, clocks waiting for an event, and dates them once recorded with --assessed-at and --reported-at', async () => {
    expect(await run('incident', 'update', id, '--regulated-by', 'eu-nis2,us-ftc-safeguards')).toMatchObject({ status: 0 });
    const waiting = (await run('assess', id)).stdout;
    expect(waiting).toMatch(/eu-nis2 +assess +2019-11-15T16:00:00\.000Z .*CSIRT or competent authority/);
    expect(waiting).toMatch(/us-ftc-safeguards +(required|not-required) +.*Federal Trade Commission/);
    expect(waiting).toContain("BR: complement has no date until the incident records it ('tocsin incident update ID --reported-at BR=ISO')");
    expect(waiting).toContain("SG: notification to the PDPC has no date until the incident records it ('tocsin incident update ID --assessed-at ISO')");
    expect(await run('incident', 'update', id, '--assessed-at', '2019-11-15T10:00:00Z', '--reported-at', 'BR=2019-11-18T12:00:00Z', '--reported-at', 'eu-dora=2019-11-15T01:00:00Z')).toMatchObject({
      status: 0,
      stderr: `updated ${id}: assessed_at, reported_at\n`,
    });
    const shown = JSON.parse((await run('incident', 'show', id, '--json')).stdout);
    expect(shown).toMatchObject({ assessed_at: '2019-11-15T10:00:00.000Z', reported_at: 'BR=2019-11-18T12:00:00.000Z,eu-dora=2019-11-15T01:00:00.000Z' });
    expect((await run('incident', 'show', id)).stdout).toMatch(/reported at: +BR=2019-11-18T12:00:00\.000Z,eu-dora=/);
    const dated = await run('assess', id);
    expect(dated.stdout).not.toContain('has no date until');
    const brazil = JSON.parse((await run('assess', id, '--json')).stdout).jurisdictions.find((j: { jurisdiction: string }) => j.jurisdiction === 'BR');
    expect(brazil.detail.authority.clocks[1]).toMatchObject({ label: 'complement', due_at: '2019-12-16T12:00:00.000Z' }); // 20 working days

    const bad = await run('incident', 'update', id, '--reported-at', 'BR:2019-11-18');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/reported-at: 'BR:2019-11-18' is not CODE=INSTANT/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(await run('incident', 'update', id, '--reported-at', '', '--assessed-at', '', '--regulated-by', '')).toMatchObject({ status: 0 });
  });

  it('names the German Land authority from --controller-region', async () => {
    expect(await run('incident', 'update', id, '--controller-country', 'DE', '--controller-region', 'DE-BW')).toMatchObject({ status: 0 });
    expect((await run('assess', id)).stdout).toMatch(/\nDE +required \(lead\) .*Landesbeauftragter für den Datenschutz und die Informationsfreiheit Baden-Württemberg/);
    const refused = await run('incident', 'update', id, '--controller-region', 'FR-IDF');
    expect(refused).toMatchObject({ status: 2, stderr: expect.stringContaining("controller-region: FR-IDF is not in the controller's country DE") });
    expect(await run('incident', 'update', id, '--controller-country', '', '--controller-region', '')).toMatchObject({ status: 0 });
  });

  it('confirms a commencement date with assess --in-force-from, and refuses one for a jurisdiction that assumes none', async () => {
    const indian = JSON.parse((await run('assess', id, '--json', '--in-force-from', 'IN=2019-01-01')).stdout).jurisdictions.find((j: { jurisdiction: string }) => j.jurisdiction === 'IN');
    expect(indian.detail.individuals).toMatchObject({ duty: 'required', reasons: [expect.stringContaining('in force from 2019-01-01, the commencement given with --in-force-from'), expect.any(String), expect.any(String)] });
    const assumed = JSON.parse((await run('assess', id, '--json')).stdout).jurisdictions.find((j: { jurisdiction: string }) => j.jurisdiction === 'IN');
    expect(assumed.detail.individuals).toMatchObject({ duty: 'not-required', reasons: [expect.stringContaining('in force from 2027-05-13, the commencement Tocsin assumes'), expect.any(String)] });
    for (const [value, message] of [
      ['FR=2026-11-13', /in-force-from: FR has no duty whose commencement the rules assume; only IN \(India\)/],
      ['IN=2026-02-31', /in-force-from: 'IN=2026-02-31' is not CODE=YYYY-MM-DD/],
    ] as const) {
      const refused = await run('assess', id, '--in-force-from', value);
      expect(refused.status, value).toBe(2);
      expect(refused.stderr, value).toMatch(message);
    }
  });

  it('reads every clock as of --as-of: a demo-dated incident is due in 3 d, not OVERDUE', async () => {
    expect((await run('assess', id)).stdout).toMatch(/\nFR +required +2019-11-17T16:00:00\.000Z +OVERDUE by \d+ d/);
    const then = await run('assess', id, '--as-of', '2019-11-14T18:00:00+01:00'); // an hour after aware-at: even CERT-In's 6 hours run
    expect(then.status).toBe(0);
    expect(then.stdout).toMatch(/^as of 2019-11-14T17:00:00\.000Z:\n/);
    expect(then.stdout).toMatch(/\nFR +required +2019-11-17T16:00:00\.000Z +due in 3 d /);
    expect(then.stdout).toMatch(/\nIN +required +2019-11-14T22:00:00\.000Z +due in 5 h /);
    expect(then.stdout).not.toContain('OVERDUE');
    expect(JSON.parse((await run('assess', id, '--json', '--as-of', '2019-11-17T10:00:00Z')).stdout).jurisdictions.find((j: { jurisdiction: string }) => j.jurisdiction === 'FR').detail.authority.clocks[0]).toMatchObject({ hours_left: 6, overdue: false });
    expect(then.stderr).not.toContain('some deadlines have passed');
    const json = JSON.parse((await run('assess', id, '--json', '--as-of', '2019-11-14T17:00:00Z')).stdout);
    expect(json).toMatchObject({ as_of: '2019-11-14T17:00:00.000Z', overdue: false });
    expect(json.assessed_at).not.toBe(json.as_of);
    expect(await run('assess', id, '--as-of', '2019-11-13T00:00:00Z')).toMatchObject({ status: 2, stderr: expect.stringContaining("as-of: 2019-11-13T00:00:00.000Z is before the incident's aware-at") });
    expect(await run('assess', id, '--as-of', 'yesterday')).toMatchObject({ status: 2, stderr: expect.stringContaining("as-of: 'yesterday' is not an ISO 8601 instant") });

    // The report reads its deadline on the same clock: late now, in time as of the day after.
    const late = JSON.parse((await run('report', id, '--jurisdiction', 'FR', '--json')).stdout);
    expect(late.sections.map((entry: { key: string }) => entry.key)).toContain('delay');
    const inTime = JSON.parse((await run('report', id, '--jurisdiction', 'FR', '--json', '--as-of', '2019-11-15T16:00:00Z')).stdout);
    expect(inTime.sections.map((entry: { key: string }) => entry.key)).not.toContain('delay');
    expect(inTime.meta).toContainEqual({ label: 'Faits arrêtés au', value: '2019-11-15T16:00:00.000Z' });
  });

  it('fills report sections from files with report sections --set, lists what is missing, and --require-complete exits 1 until none is', async () => {
    const file = (name: string, text: string) => {
      const path = join(shop, `${database().dialect}-${name}`);
      writeFileSync(path, text);
      return path;
    };
    const listed = async () => JSON.parse((await run('report', 'sections', id, '--jurisdiction', 'FR', '--json')).stdout);
    const before = await listed();
    expect(before).toMatchObject({ locale: 'fr', jurisdiction: 'FR' });
    expect(before.missing).toEqual(expect.arrayContaining(['nature', 'consequences', 'delay']));
    expect(before.sections.find((row: { section: string }) => row.section === 'changes')).toMatchObject({ written: false, missing: null });

    const hostile = await run('report', 'sections', id, '--jurisdiction', 'FR', '--set', `consequences=${file('hostile.txt', 'ok\n\u001b]0;pwned\u0007\n')}`);
    expect(hostile).toMatchObject({ status: 2, stderr: expect.stringContaining('line 2: holds a control character') });
    expect(hostile.stderr).not.toMatch(/\n\s+at /);
    expect((await listed()).sections.find((row: { section: string }) => row.section === 'consequences').written).toBe(false);
    expect(await run('report', 'sections', id, '--set', `consequences=${file('c.txt', 'x')}`)).toMatchObject({ status: 2, stderr: expect.stringContaining('--locale') });
    expect(await run('report', 'sections', id, '--jurisdiction', 'XX', '--set', `consequences=${file('c.txt', 'x')}`)).toMatchObject({ status: 2, stderr: expect.stringContaining("no rules for jurisdiction 'XX'") });

    const writes = ['nature', 'subjects', 'contact', 'consequences', 'measures', 'timeline', 'evidence', 'delay'].flatMap((section) => ['--set', `${section}=${file(`${section}.txt`, `Texte pour ${section}.\n`)}`]);
    const set = await run('report', 'sections', id, '--jurisdiction', 'FR', ...writes);
    expect(set.status).toBe(0);
    expect(set.stderr).toContain("set: consequences in 'fr'");
    expect(set.stdout).toMatch(/consequences +yes +\S+ +\S+ +complete/);
    expect((await listed()).missing).toEqual([]);
    const complete = await run('report', id, '--jurisdiction', 'FR', '--require-complete');
    expect(complete.status).toBe(0);
    expect(complete.stdout).toContain('Texte pour consequences.');
    expect(complete.stdout).not.toContain('À rédiger par une personne');

    expect((await run('report', 'sections', id, '--jurisdiction', 'FR', '--clear', 'consequences')).stderr).toContain("cleared: consequences in 'fr'");
    const incomplete = await run('report', id, '--jurisdiction', 'FR', '--require-complete');
    expect(incomplete.status).toBe(1);
    expect(incomplete.stderr).toContain("1 section(s) still to write in 'fr': consequences");
    expect((await run('report', id, '--jurisdiction', 'FR')).status).toBe(0);
    // In English the French texts do not count.
    expect(JSON.parse((await run('report', 'sections', id, '--jurisdiction', 'FR', '--locale', 'en', '--json')).stdout).missing).toContain('nature');
    expect(await run('report', id)).toMatchObject({ status: 2, stderr: expect.stringContaining('--jurisdiction') });
  });
});
