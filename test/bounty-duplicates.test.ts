import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { issueResearcherLink, signUpResearcher, verifyResearcherEmail } from '../src/accounts/index.ts';
import { researcherReport, submitReport, type ReportFields } from '../src/bounty/index.ts';
import { reportedAfter } from '../src/bounty/duplicates.ts';
import type { Context, OpenContext } from '../src/context.ts';
import type { Listeners } from '../src/server/index.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { addStaff, asRole, json, startTestListeners, type Staff } from './helpers/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-bounty-duplicates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORD = 'quartz-lantern-harbour-93';
const HOUR_MS = 3_600_000;

const IMEI_LOOKUP: ReportFields = {
  asset: 'api.shop.example.com',
  weakness: 'CWE-639',
  title: 'After-sales IMEI lookup returns other customers’ orders',
  description:
    'The after-sales lookup answers for any IMEI, not only the signed-in customer’s: `GET /api/aftersales/imei/356938035643809` returns the order with the name, phone number and postal address of whoever bought the phone.',
  steps: '1. Sign in with your own account.\n2. Request the lookup with an IMEI that is not yours.\n3. Read the order of another customer.',
  impact: 'Every customer’s order and address can be read.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
};

/** The same flaw found again and told much alike, through a full URL with another IMEI. */
const IMEI_AGAIN: ReportFields = {
  ...IMEI_LOOKUP,
  title: 'IDOR: the after-sales IMEI lookup returns other customers’ orders',
  description:
    'The after-sales lookup answers for any IMEI, not only the signed-in customer’s: https://api.shop.example.com/api/aftersales/imei/490154203237518?lang=en returns the order with the name, phone number and postal address of whoever bought the phone.',
};

const REVIEW_XSS: ReportFields = {
  asset: 'shop.example.com',
  weakness: 'CWE-79',
  title: 'Stored XSS in product reviews',
  description: 'A review whose title holds markup runs script for every visitor of the product page at /products/:slug/reviews.',
  steps: '1. Write a review titled <svg onload=alert(1)>.\n2. Open the product page.',
  impact: 'Session theft of anyone reading reviews.',
  cvss: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N',
};

describeEachDatabase('bug bounty duplicates with proof', (database) => {
  let base: OpenContext;
  let ctx: Context;
  let staff: Staff;
  let listeners: Listeners;
  let now = new Date('2026-11-20T09:00:00Z');
  const researchers: Record<string, string> = {};
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    base = await database().context({ now: () => now });
    staff = await addStaff(base);
    ctx = { ...base, config: { ...base.config, public_url: 'https://help.shop.example.com', bounty: BOUNTY, shop: { ...base.config.shop, name: 'Example Phone Shop', domains: ['shop.example.com'] } } };
    listeners = await startTestListeners(ctx);
    for (const name of ['ada', 'bob', 'cy', 'dee', 'eve']) {
      const { researcher_id } = await signUpResearcher(ctx, { email: `${name}@research.example`, password: PASSWORD, locale: name === 'bob' ? 'fr' : 'en-GB', address: '127.0.0.1' });
      researchers[name] = researcher_id;
    }
  });
  afterAll(async () => {
    await listeners?.close();
    await base?.close();
  });

  /** Submits as `who`, an hour after the report before. */
  async function submit(who: string, fields: ReportFields): Promise<string> {
    now = new Date(now.getTime() + HOUR_MS);
    return (await submitReport(ctx, researchers[who], fields, [], '127.0.0.1')).reference;
  }
  const responder = () => asRole(listeners.staffUrl, staff, 'responder');
  const show = (reference: string) => json(responder()(`/api/bounty/reports/${reference}`));
  const triage = (reference: string, body: Record<string, string>) => responder()(`/api/bounty/reports/${reference}/triage`, { method: 'POST', body: JSON.stringify(body) });

  it('shows the triage team the earlier reports a new one may duplicate, and why: asset, weakness, endpoint, text alike', async () => {
    refs.original = await submit('ada', IMEI_LOOKUP);
    refs.xss = await submit('cy', REVIEW_XSS);
    refs.again = await submit('bob', IMEI_AGAIN);
    // Pasted onto another asset: only its words give it away.
    refs.pasted = await submit('dee', { ...IMEI_LOOKUP, asset: 'shop.example.com', weakness: 'CWE-200', description: IMEI_LOOKUP.description.replace('/api/aftersales/imei/356938035643809', 'the lookup') });
    // Same asset and weakness, another endpoint, other words.
    refs.invoices = await submit('eve', { ...IMEI_LOOKUP, title: 'Invoices of any order', description: 'Changing the number in /api/invoices/2041 gives the invoice PDF of another order.', steps: '1. Open your invoice.\n2. Change its number.' });

    expect((await show(refs.original)).duplicate_candidates).toEqual([]);
    expect((await show(refs.xss)).duplicate_candidates).toEqual([]);

    const again = await show(refs.again);
    expect(again.duplicate_candidates).toEqual([
      {
        reference: refs.original,
        title: IMEI_LOOKUP.title,
        state: 'new',
        duplicate_of: null,
        submitted_at: expect.any(String),
        same_asset: true,
        same_weakness: true,
        shared_endpoints: ['/api/aftersales/imei/:id'],
        shared_text_bands: expect.any(Number),
      },
    ]);
    expect(again.duplicate_candidates[0].shared_text_bands).toBeGreaterThan(0);

    const pasted = await show(refs.pasted);
    expect(pasted.duplicate_candidates.map((candidate: { reference: string }) => candidate.reference)).toEqual([refs.original, refs.again]);
    expect(pasted.duplicate_candidates[0]).toMatchObject({ same_asset: false, same_weakness: false, shared_endpoints: [] });
    expect(pasted.duplicate_candidates[0].shared_text_bands).toBeGreaterThan(pasted.duplicate_candidates[1].shared_text_bands);

    // Asset and weakness alone: candidates still, after none with more in common; the XSS on another asset never.
    const invoices = await show(refs.invoices);
    expect(invoices.duplicate_candidates.map((candidate: { reference: string }) => candidate.reference)).toEqual([refs.original, refs.again]);
    expect(invoices.duplicate_candidates[0]).toMatchObject({ same_asset: true, same_weakness: true, shared_endpoints: [], shared_text_bands: 0 });
  });

  it('closes a duplicate only against an earlier original that is no duplicate itself, and tells its researcher when the original came and its state', async () => {
    expect((await triage(refs.original, { state: 'triaged' })).status).toBe(200);
    const later = await json(triage(refs.xss, { state: 'duplicate', duplicate_of: refs.invoices }));
    expect(later).toMatchObject({ error: { code: 'DUPLICATE_OF_LATER', message: expect.stringContaining('the original is the earlier one') } });

    const closed = await json(triage(refs.again, { state: 'duplicate', duplicate_of: refs.original }));
    const original = { reference: refs.original, submitted_at: '2026-11-20T10:00:00.000Z', state: 'triaged' };
    expect(closed).toMatchObject({ state: 'duplicate', duplicate_of: refs.original, original });
    const chained = await json(triage(refs.pasted, { state: 'duplicate', duplicate_of: refs.again }));
    expect(chained).toMatchObject({ error: { code: 'DUPLICATE_OF_DUPLICATE', message: expect.stringContaining(`duplicate of ${refs.original}; name that original`) } });
    // A candidate that was closed as a duplicate points the triager to its original.
    expect((await show(refs.pasted)).duplicate_candidates[1]).toMatchObject({ reference: refs.again, state: 'duplicate', duplicate_of: refs.original });

    // The mail: the original's reference, time and state, in the researcher's language.
    const mail = await ctx.db.selectFrom('bounty_mails').select('params').where('researcher_id', '=', researchers.bob).where('kind', '=', 'state_changed').executeTakeFirstOrThrow();
    expect(JSON.parse(mail.params)).toMatchObject({ reference: refs.again, state: 'duplicate', original: refs.original, original_state: 'triaged', date: '2026-11-20 10:00 UTC' });

    // Their report, as JSON and as the page they read.
    expect((await researcherReport(ctx, researchers.bob, refs.again)).original).toEqual(original);
    const token = await issueResearcherLink(ctx, researchers.bob, 'verify');
    await verifyResearcherEmail(ctx, token);
    const signIn = await fetch(`${listeners.publicUrl}/api/bounty/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bob@research.example', password: PASSWORD }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const page = await (await fetch(`${listeners.publicUrl}/bounty/reports/${refs.again}?lang=fr`, { headers: { cookie, accept: 'text/html' } })).text();
    expect(page).toContain(`<dt>Doublon de</dt><dd>${refs.original}</dd>`);
    expect(page).toContain(`<p>Il est un doublon du rapport ${refs.original}, envoyé le 20 novembre 2026 à 10:00 UTC, dont l’état est : Trié.</p>`);
    // The original's researcher is never named to them, nor its title.
    expect(page).not.toContain('ada@research.example');
    expect(page).not.toContain(IMEI_LOOKUP.title);
  });

  it('lists who reported a report after its researcher, for its disclosure and in the triage view', async () => {
    expect(await reportedAfter(ctx.db, refs.original)).toEqual([{ reference: refs.again, researcher_id: researchers.bob, submitted_at: '2026-11-20T12:00:00.000Z' }]);
    expect((await show(refs.original)).duplicates).toEqual([{ reference: refs.again, researcher_id: researchers.bob, submitted_at: '2026-11-20T12:00:00.000Z' }]);
    expect(await reportedAfter(ctx.db, refs.xss)).toEqual([]);
  });

  it('prints the candidates, a duplicate’s original and who reported after in tocsin bounty show', async () => {
    const config = join(dir, 'tocsin.yml');
    writeFileSync(config, stringify({ public_url: 'https://help.shop.example.com', bounty: BOUNTY }));
    const run = (...args: string[]) => tocsinMain(['--config', config, 'bounty', 'show', ...args], { database: database().config });
    const pasted = await run(refs.pasted);
    expect(pasted.status, pasted.stderr).toBe(0);
    expect(pasted.stdout).toMatch(new RegExp(`may duplicate \\(earlier reports\\):\\nREFERENCE +STATE +SUBMITTED +IN COMMON +TITLE\\n${refs.original} +triaged +2026-11-20T10:00:00.000Z +text \\(\\d+/20 bands\\)`));
    expect(pasted.stdout).toMatch(new RegExp(`${refs.again} +duplicate of ${refs.original} .*asset, weakness|${refs.again} +duplicate of ${refs.original} .*text`));
    expect((await run(refs.again)).stdout).toMatch(new RegExp(`state: +duplicate of ${refs.original} \\(submitted 2026-11-20T10:00:00.000Z, triaged\\)`));
    expect((await run(refs.original)).stdout).toMatch(new RegExp(`reported after by: +${refs.again} \\(2026-11-20T12:00:00.000Z\\)`));
    expect(JSON.parse((await run(refs.invoices, '--json')).stdout).duplicate_candidates[0]).toMatchObject({ reference: refs.original, same_asset: true, same_weakness: true });
  });
});
