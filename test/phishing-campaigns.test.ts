/**
 * The phishing desk's campaigns and takedowns on both databases: waves of phish clustered as
 * they are imported (by the attacker's domains, and by near-duplicate text), merged when a
 * report links two, never by the platforms a copied footer links to; staff triage in the
 * security log; takedown packs and abuse reports that carry the evidence and never a
 * recipient's address; the watch list as CSV and as a STIX 2.1 bundle checked against the
 * spec's required properties; and the watch, resolving permutations through a real DNS server
 * (Debian's dnsmasq) that the test starts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { securityLog } from '../src/accounts/index.ts';
import type { OpenContext } from '../src/context.ts';
import { csvLine } from '../src/lib/csv.ts';
import { getCampaign, importMessages, listCampaigns, listLookalikes, takedownPack, triageReport, watchedCampaigns, watchListStix, watchShop, type ReportView, type StixBundle, type StixObject } from '../src/phishing/index.ts';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { startDnsmasq, type DnsServer } from './helpers/dnsmasq.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

const SHOP = 'gadgetshop.de';

let dns: DnsServer;
beforeAll(async () => {
  // Three permutations of the shop's domain exist; every other name is NXDOMAIN.
  dns = await startDnsmasq({ a: { 'gadgetsh0p.de': '198.51.100.7', 'gadgetshop.com': '198.51.100.8', 'gadgetshop-support.de': '198.51.100.9' } });
});
afterAll(() => dns?.close());

const WAVE = (name: string, order: string) =>
  `Dear ${name}, we could not deliver your order ${order} because the payment did not go through. Your account will be suspended within 24 hours unless you confirm your card details on our secure payment page. Thank you for shopping with us, your customer service team.`;
const PARCEL = 'Your parcel is waiting at the depot. Schedule a new delivery date and pay the customs fee through the link below before Friday, or it goes back to the sender. Sign in to your account to verify your identity first.';

function phish(options: { from: string; to: string; subject: string; text: string; links: string[]; date: string }): Buffer {
  return Buffer.from(
    [
      `Received: from mx.attacker.example (mx.attacker.example [203.0.113.5]) by mx.reporter.example with ESMTP; ${options.date}`,
      `Return-Path: <${options.from}>`,
      `From: Gadget Shop <${options.from}>`,
      `To: ${options.to}`,
      `Subject: ${options.subject}`,
      `Date: ${options.date}`,
      `Message-ID: <${Math.random().toString(36).slice(2)}@attacker.example>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      options.text,
      '',
      ...options.links,
      'Follow us: https://www.facebook.com/gadgetshop',
      '',
    ].join('\r\n'),
  );
}

/** The spec's required properties of each object type we make (STIX 2.1, sections 4 and 5). */
const REQUIRED: Record<string, string[]> = {
  identity: ['type', 'spec_version', 'id', 'created', 'modified', 'name'],
  campaign: ['type', 'spec_version', 'id', 'created', 'modified', 'name'],
  indicator: ['type', 'spec_version', 'id', 'created', 'modified', 'pattern', 'pattern_type', 'valid_from'],
  relationship: ['type', 'spec_version', 'id', 'created', 'modified', 'relationship_type', 'source_ref', 'target_ref'],
};
const STIX_ID = (type: string) => new RegExp(`^${type}--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function checkStix(bundle: StixBundle): void {
  expect(Object.keys(bundle).sort()).toEqual(['id', 'objects', 'type']);
  expect(bundle.type).toBe('bundle');
  expect(bundle.id).toMatch(STIX_ID('bundle'));
  const ids = new Map(bundle.objects.map((object): [string, StixObject] => [object.id, object]));
  expect(ids.size).toBe(bundle.objects.length);
  for (const object of bundle.objects) {
    for (const property of REQUIRED[object.type]) expect(object, `${object.type} ${property}`).toHaveProperty(property);
    expect(object.spec_version).toBe('2.1');
    expect(object.id).toMatch(STIX_ID(object.type));
    for (const time of ['created', 'modified', 'valid_from', 'first_seen', 'last_seen']) if (object[time] !== undefined) expect(object[time]).toMatch(TIMESTAMP);
    expect(object.modified >= object.created).toBe(true);
    if (object.created_by_ref) expect(ids.get(object.created_by_ref as string)?.type).toBe('identity');
    if (object.type === 'identity') expect(object.identity_class).toBe('organization');
    if (object.type === 'campaign') expect((object.last_seen as string) >= (object.first_seen as string)).toBe(true);
    if (object.type === 'indicator') {
      expect(object.pattern_type).toBe('stix');
      expect(object.pattern).toMatch(/^\[(domain-name|url):value = '(?:[^'\\]|\\.)*'\]$/);
    }
    if (object.type === 'relationship') {
      expect(object.relationship_type).toBe('indicates');
      expect(ids.get(object.source_ref as string)?.type).toBe('indicator');
      expect(ids.get(object.target_ref as string)?.type).toBe('campaign');
    }
  }
}

describeEachDatabase('phishing campaigns and takedowns', (database) => {
  let ctx: OpenContext;
  let clock = new Date('2026-12-04T10:00:00Z');
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-campaigns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    ctx = await database().context({ now: () => clock });
    Object.assign(ctx.config.shop, { domains: [SHOP], name: 'Gadget Shop' });
    Object.assign(ctx.config.phishing, { dns_servers: [dns.address] });
  });
  afterAll(() => ctx?.close());

  let file = 0;
  /** Imports messages one a minute later than the last, as reporters send them. */
  const imported = async (...messages: Buffer[]): Promise<ReportView[]> => {
    const views: ReportView[] = [];
    for (const message of messages) {
      clock = new Date(clock.getTime() + 60_000);
      const path = join(dir, `${file++}.eml`);
      writeFileSync(path, message);
      await importMessages(ctx, [path], (view) => views.push(view));
    }
    return views;
  };

  let waveA: ReportView[];
  let waveB: ReportView[];

  it('clusters a wave by the attacker\'s domain, another apart though both link to the same platform, and leaves spam out', async () => {
    const date = 'Fri, 04 Dec 2026 09:00:00 +0000';
    waveA = await imported(
      ...['anna@example.org', 'jonas@example.net', 'mia@example.com'].map((to, i) =>
        phish({ from: 'service@gadgetshop-secure.com', to, subject: 'Payment problem', text: WAVE(['Anna', 'Jonas', 'Mia'][i], `10023${i}`), links: [`https://gadgetshop-secure.com/pay?u=${encodeURIComponent(to)}`], date }),
      ),
    );
    waveB = await imported(
      ...['lea@example.org', 'tim@example.net'].map((to) => phish({ from: 'parcels.depot@gmail.com', to, subject: 'Your parcel', text: PARCEL, links: ['https://gadgetsh0p.net/parcel'], date })),
    );
    const [spam] = await imported(Buffer.from('From: a@example.net\r\nSubject: cheap watches\r\nList-Unsubscribe: <mailto:u@example.net>\r\n\r\nbuy now\r\n'));
    expect(waveA.map((view) => view.verdict)).toEqual(['phishing', 'phishing', 'phishing']);
    expect(waveB.map((view) => view.verdict)).toEqual(['phishing', 'phishing']);
    expect(new Set(waveA.map((view) => view.campaign)).size).toBe(1);
    expect(new Set(waveB.map((view) => view.campaign)).size).toBe(1);
    expect(waveA[0].campaign).toMatch(/^PC-\w{4}-\w{4}-\w{4}$/);
    expect(waveA[0].campaign).not.toBe(waveB[0].campaign);
    expect(spam.campaign).toBeNull();

    const campaigns = await listCampaigns(ctx);
    expect(campaigns.map((campaign) => campaign.id)).toEqual([waveB[0].campaign, waveA[0].campaign]);
    const a = campaigns[1];
    expect(a).toMatchObject({ report_count: 3, verdict: 'phishing', domains: ['gadgetshop-secure.com'], first_seen: '2026-12-04T10:01:00.000Z', last_seen: '2026-12-04T10:03:00.000Z' });
    // Free mail and the footer's platform are nobody's campaign.
    expect(campaigns[0].domains).toEqual(['gadgetsh0p.net']);
    // One URL: the recipients' addresses in it are replaced.
    expect(a.urls).toEqual(['https://gadgetshop-secure.com/pay?u=[recipient]']);
    expect(a.sample).toMatchObject({ id: waveA[0].id, subject: 'Payment problem' });
  });

  it('joins a near-duplicate text sent from elsewhere to its wave, and merges two campaigns a report links', async () => {
    const [near] = await imported(phish({ from: 'billing@gadgetshop-login.net', to: 'ole@example.org', subject: 'Payment problem', text: WAVE('Ole Hansen', '554433'), links: ['https://gadgetshop-login.net/pay'], date: 'Fri, 04 Dec 2026 09:30:00 +0000' }));
    expect(near.campaign).toBe(waveA[0].campaign);
    expect((await getCampaign(ctx, waveA[0].campaign!)).domains).toEqual(['gadgetshop-secure.com', 'gadgetshop-login.net']);

    const [bridge] = await imported(phish({ from: 'x@gadgetshop-secure.com', to: 'eva@example.org', subject: 'Act now', text: 'Short.', links: ['https://gadgetsh0p.net/parcel'], date: 'Fri, 04 Dec 2026 09:40:00 +0000' }));
    expect(bridge.campaign).toBe(waveA[0].campaign);
    const merged = await getCampaign(ctx, waveB[0].campaign!);
    expect(merged.id).toBe(waveA[0].campaign);
    expect(merged.report_count).toBe(7);
    expect(merged.reports.map((report) => report.id).sort()).toEqual([...waveA, ...waveB, near, bridge].map((view) => view.id).sort());
    expect((await listCampaigns(ctx)).map((campaign) => campaign.id)).toEqual([waveA[0].campaign]);
  });

  it('builds a takedown pack with an abuse report per domain: evidence in, recipients and control characters out', async () => {
    const [hostile] = await imported(phish({ from: 'service@gadgetshop-secure.com', to: 'zoe@example.org', subject: 'Pay\x1b[31m now\x07', text: WAVE('Zoe', '1'), links: ['https://gadgetshop-secure.com/x?mail=zoe@example.org'], date: 'Fri, 04 Dec 2026 09:50:00 +0000' }));
    const pack = await takedownPack(ctx, waveA[0].campaign!);
    expect(pack.campaign).toMatchObject({ id: waveA[0].campaign, report_count: 8, verdict: 'phishing' });
    expect(pack.domains.map((domain) => domain.domain)).toEqual(['gadgetshop-secure.com', 'gadgetsh0p.net', 'gadgetshop-login.net']);
    const secure = pack.domains[0];
    expect(secure).toMatchObject({ reports: 5, seen_in: ['link', 'sender'], imitates: [{ domain: SHOP, kinds: expect.arrayContaining(['dictionary']) }] });
    expect(secure.evidence).toHaveLength(5);
    expect(secure.evidence[0]).toMatchObject({ report: hostile.id, auth: expect.objectContaining({ spf: expect.any(String), dmarc: expect.any(String), source: 'computed' }) });
    const text = secure.abuse_report;
    expect(text).toContain('Subject: Phishing abuse report: gadgetshop-secure.com');
    expect(text).toContain('The domain imitates gadgetshop.de');
    expect(text).toContain('hxxps://gadgetshop-secure[.]com/pay?u=');
    expect(text).toMatch(/Authentication: spf=\w+ dkim=\w+ dmarc=\w+/);
    expect(text).toContain('Received: from mx.attacker.example');
    expect(text).toContain('Return-Path: <service@gadgetshop-secure.com>');
    for (const secret of ['anna@', 'jonas@', 'mia@', 'zoe@', 'zoe%40', 'anna%40']) expect(JSON.stringify(pack)).not.toContain(secret);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('exports the watch list as formula-safe CSV and as a deterministic STIX 2.1 bundle with the spec\'s required properties', async () => {
    const campaigns = await watchedCampaigns(ctx);
    const bundle = watchListStix(ctx, campaigns);
    checkStix(bundle);
    expect(JSON.stringify(watchListStix(ctx, await watchedCampaigns(ctx)))).toBe(JSON.stringify(bundle));
    const { objects } = bundle;
    expect(objects.filter((object) => object.type === 'campaign')).toHaveLength(1);
    expect(objects.filter((object) => object.type === 'indicator').map((object) => object.pattern)).toContain("[domain-name:value = 'gadgetshop-secure.com']");
    // A hostile value stays data: quotes escaped in a pattern, a formula cell prefixed.
    checkStix(watchListStix(ctx, [{ id: 'PC-X', first_seen: campaigns[0].first_seen, last_seen: campaigns[0].last_seen, verdict: 'phishing', indicators: [{ kind: 'url', value: "https://e.example/a'b\\c", first_seen: campaigns[0].first_seen }] }]));
    expect(csvLine(['url', '=HYPERLINK("https://e.example")'])).toBe('url,"\'=HYPERLINK(""https://e.example"")"\r\n');
  });

  it('lists the look-alike domains across the reports: what each imitates and how, where, how often, in which campaign', async () => {
    const seen = await listLookalikes(ctx);
    expect(seen.map((entry) => entry.domain)).toEqual(['gadgetshop-secure.com', 'gadgetsh0p.net', 'gadgetshop-login.net']);
    expect(seen[0]).toEqual({
      domain: 'gadgetshop-secure.com',
      imitates: SHOP,
      kinds: expect.arrayContaining(['dictionary']),
      seen_in: ['from', 'link', 'return-path'],
      report_count: 5,
      first_seen: '2026-12-04T10:01:00.000Z',
      last_seen: '2026-12-04T10:09:00.000Z',
      campaigns: [waveA[0].campaign],
    });
    expect(seen[1]).toMatchObject({ imitates: SHOP, kinds: expect.arrayContaining(['replacement']), seen_in: ['link'], report_count: 3, campaigns: [waveA[0].campaign] });
  });

  it('triages reports over the API into the security log, lists the campaigns and takedown there, and exports the watch list', async () => {
    const staff = await addStaff(ctx);
    const listeners = await startTestListeners(ctx);
    try {
      const as = (role: 'responder' | 'viewer') => asRole(listeners.staffUrl, staff, role);
      const put = (role: 'responder' | 'viewer', reference: string, body: unknown) => as(role)(`/api/phishing/reports/${reference}/triage`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const done = await put('responder', waveB[0].id, { state: 'phishing_confirmed' });
      expect(done.status).toBe(200);
      expect(await done.json()).toMatchObject({ id: waveB[0].id, triage: 'phishing_confirmed', previous: 'new' });
      expect((await put('viewer', waveB[0].id, { state: 'benign' })).status).toBe(403);
      expect((await put('responder', waveB[0].id, { state: 'maybe' })).status).toBe(400);
      expect((await put('responder', 'R-0000-0000-0000', { state: 'benign' })).status).toBe(404);
      const log = (await securityLog(ctx)).filter((entry) => entry.event === 'phishing_report_triaged');
      expect(log).toEqual([expect.objectContaining({ actor: expect.stringContaining('responder'), details: { report: waveB[0].id, from: 'new', to: 'phishing_confirmed' } })]);
      expect((await json(as('responder')('/api/phishing/reports?triage=phishing_confirmed'))).items.map((view: ReportView) => view.id)).toEqual([waveB[0].id]);

      const listed = await json(as('responder')('/api/phishing/campaigns'));
      expect(listed.items.map((campaign: { id: string }) => campaign.id)).toEqual([waveA[0].campaign]);
      expect((await json(as('responder')(`/api/phishing/campaigns/${waveB[0].campaign}`))).id).toBe(waveA[0].campaign);
      const pack = await json(as('responder')(`/api/phishing/campaigns/${waveA[0].campaign}/takedown`));
      expect(pack.domains[0].abuse_report).toContain('gadgetshop-secure.com');
      expect((await as('viewer')('/api/phishing/campaigns')).status).toBe(403);
      expect((await json(as('responder')('/api/phishing/lookalikes'))).items).toEqual(await listLookalikes(ctx));
      expect((await as('viewer')('/api/phishing/lookalikes')).status).toBe(403);
      expect((await as('responder')('/api/phishing/campaigns/PC-0000-0000-0000')).status).toBe(404);

      const csv = await as('responder')('/api/phishing/watch-list?format=csv');
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('type,value,campaign,first_seen,campaign_last_seen,verdict');
      expect(lines).toContain(`domain,gadgetshop-secure.com,${waveA[0].campaign},2026-12-04T10:01:00.000Z,2026-12-04T10:09:00.000Z,phishing`);
      const stix = await as('responder')('/api/phishing/watch-list?format=stix');
      expect(stix.headers.get('content-type')).toContain('application/stix+json');
      checkStix((await stix.json()) as StixBundle);

      const watched = await as('responder')('/api/phishing/watch', { method: 'POST' });
      expect(watched.status).toBe(200);
      expect((await json(watched)).found.map((found: { domain: string }) => found.domain)).toEqual(['gadgetsh0p.de', 'gadgetshop-support.de', 'gadgetshop.com']);
      expect((await as('viewer')('/api/phishing/watch', { method: 'POST' })).status).toBe(403);
    } finally {
      await listeners.close();
    }
  });

  it('finds the permutations of the shop\'s domains that resolve, through the configured DNS server', async () => {
    const result = await watchShop(ctx);
    expect(result.checked).toBeGreaterThan(400);
    expect(result.unresolved).toBe(0);
    expect(result.found.map((found) => [found.domain, found.kinds, found.a])).toEqual([
      ['gadgetsh0p.de', ['replacement'], ['198.51.100.7']],
      ['gadgetshop-support.de', ['dictionary'], ['198.51.100.9']],
      ['gadgetshop.com', ['tld-swap'], ['198.51.100.8']],
    ]);
  });

  it('tocsin phishing import --json prints the campaign; takedown writes the pack and abuse reports; watch lists what exists', async () => {
    const env = { TOCSIN_SHOP_DOMAINS: SHOP, TOCSIN_SHOP_NAME: 'Gadget Shop', TOCSIN_PHISHING_DNS_SERVERS: dns.address };
    const message = join(dir, 'cli.eml');
    writeFileSync(message, phish({ from: 'service@gadgetshop-secure.com', to: 'kim@example.org', subject: 'Payment problem', text: WAVE('Kim', '7'), links: ['https://gadgetshop-secure.com/pay'], date: 'Fri, 04 Dec 2026 11:00:00 +0000' }));
    const run = await tocsinMain(['phishing', 'import', message, '--json'], { database: database().config, env });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'phishing', campaign: waveA[0].campaign });

    const out = join(dir, 'pack');
    const takedown = await tocsinMain(['phishing', 'takedown', waveB[0].campaign!, '--out', out], { database: database().config, env });
    expect(takedown.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['abuse-gadgetsh0p.net.txt', 'abuse-gadgetshop-login.net.txt', 'abuse-gadgetshop-secure.com.txt', 'pack.json']);
    expect(statSync(join(out, 'pack.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'abuse-gadgetsh0p.net.txt'), 'utf8')).toContain('hxxps://gadgetsh0p[.]net/parcel');

    const watch = await tocsinMain(['phishing', 'watch', '--json'], { database: database().config, env });
    expect(watch.status).toBe(0);
    expect(JSON.parse(watch.stdout).found.map((found: { domain: string }) => found.domain)).toEqual(['gadgetsh0p.de', 'gadgetshop-support.de', 'gadgetshop.com']);

    const missing = await tocsinMain(['phishing', 'takedown', 'PC-0000-0000-0000'], { database: database().config, env });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('no phishing campaign');
    expect(missing.stderr).toContain('tocsin phishing campaigns');
  });

  it('makes a confirmed phish\'s campaign a phishing campaign', async () => {
    // Relayed through a look-alike host, asking for a sign-in: suspicious, not yet phishing.
    const [suspicious] = await imported(Buffer.from('Received: from mail.gadget-shop.org (mail.gadget-shop.org [203.0.113.7]) by mx.reporter.example; Fri, 04 Dec 2026 12:00:00 +0000\r\nFrom: a@example.net\r\nTo: bo@example.org\r\nSubject: Hi\r\n\r\nPlease verify your account at https://account-check.example/x today.\r\n'));
    expect(suspicious.verdict).toBe('suspicious');
    expect((await getCampaign(ctx, suspicious.campaign!)).verdict).toBe('suspicious');
    await triageReport(ctx, suspicious.id, 'phishing_confirmed');
    expect((await getCampaign(ctx, suspicious.campaign!)).verdict).toBe('phishing');
  });
});
