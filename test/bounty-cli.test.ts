import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { signUpResearcher } from '../src/accounts/index.ts';
import { submitReport } from '../src/bounty/index.ts';
import { BOUNTY } from './helpers/bounty.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { tocsinMain } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-bounty-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tocsin.yml with the test programme, `change` applied to it. */
function configFile(name: string, change: (config: Record<string, any>) => void = () => {}): string {
  const config: Record<string, any> = { public_url: 'https://help.shop.example.com', bounty: structuredClone(BOUNTY) };
  change(config);
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, stringify(config));
  return file;
}

it('tocsin bounty cvss prints version, score and severity; exit 2 names the bad metric', async () => {
  const scored = await tocsinMain(['bounty', 'cvss', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', '--json']);
  expect(scored.status).toBe(0);
  expect(JSON.parse(scored.stdout)).toEqual({ version: '3.1', score: 6.1, severity: 'medium' });
  expect((await tocsinMain(['bounty', 'cvss', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H'])).stdout).toBe('CVSS 4.0  10.0  critical\n');
  const bad = await tocsinMain(['bounty', 'cvss', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:Z']);
  expect(bad.status).toBe(2);
  expect(bad.stdout).toBe('');
  expect(bad.stderr).toMatch(/metric SA has the value "Z"/);
  expect(bad.stderr).not.toMatch(/\n\s+at /);
});

it('tocsin bounty policy checks the configuration, naming the bad key and its line', async () => {
  const valid = await tocsinMain(['--config', configFile('valid'), 'bounty', 'policy', '--json']);
  expect(valid.status).toBe(0);
  expect(JSON.parse(valid.stdout)).toMatchObject({ languages: ['en-GB', 'fr'], rewards: { currency: 'EUR' }, urls: { security_txt: 'https://help.shop.example.com/.well-known/security.txt' } });
  const cases: [string, (config: Record<string, any>) => void, RegExp][] = [
    ['tier', (config) => (config.bounty.assets[1].tier = 'medium'), /line \d+: bounty\.assets, item 2, tier: .*"critical"\|"high"\|"standard"/],
    ['contact', (config) => (config.bounty.contacts = ['http://shop.example.com/security']), /bounty\.contacts, item 1: expected a mailto:, tel: or https:\/\/ URI/],
    ['locale', (config) => (config.bounty.policy.xx = config.bounty.policy.fr), /bounty\.policy\.xx: expected a language the pages speak: de, en-GB, en-US, es, fr, it/],
    ['reward', (config) => delete config.bounty.rewards.high.low, /bounty\.rewards.*high\.low.*missing|bounty\.rewards\.high\.low: missing/],
    ['expires', (config) => (config.bounty.security_txt = { valid_days: 400, renew_days: 30 }), /bounty\.security_txt\.valid_days/],
    ['unknown', (config) => (config.bounty.reward = {}), /bounty\.reward: unknown key/],
  ];
  for (const [name, change, message] of cases) {
    const result = await tocsinMain(['--config', configFile(name, change), 'bounty', 'policy']);
    expect(result.status, name).toBe(2);
    expect(result.stderr, name).toMatch(message);
  }
  const none = await tocsinMain(['--config', configFile('none', (config) => delete config.bounty), 'bounty', 'policy']);
  expect(none.status).toBe(1);
  expect(none.stderr).toMatch(/no bug bounty programme is configured/);
});

describeEachDatabase('tocsin bounty key', (database) => {
  it('generates a key, shows it and prints the signed security.txt; never writes the private key to a file or the terminal', async () => {
    const config = configFile('keys');
    const run = (...args: string[]) => tocsinMain(['--config', config, ...args], { database: database().config });
    const none = await run('bounty', 'key', 'show');
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no key signs security\.txt yet; .*, or generate one \('tocsin bounty key generate'\)/);
    const generated = await run('bounty', 'key', 'generate', '--json');
    expect(generated.status).toBe(0);
    const key = JSON.parse(generated.stdout);
    expect(key).toMatchObject({ fingerprint: expect.stringMatching(/^[0-9A-F]{40}$/), source: 'generated', public_key: expect.stringContaining('BEGIN PGP PUBLIC KEY BLOCK') });
    expect(generated.stdout + generated.stderr).not.toContain('PRIVATE KEY');
    expect(JSON.parse((await run('bounty', 'key', 'show', '--json')).stdout).fingerprint).toBe(key.fingerprint);
    const file = await run('bounty', 'security-txt');
    expect(file.status).toBe(0);
    expect(file.stdout).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\n/);
    expect(file.stdout).toContain('Canonical: https://help.shop.example.com/.well-known/security.txt');
    expect(file.stderr).toContain(`signed by ${key.fingerprint}`);
    expect(statSync(database().config.dataDir).mode & 0o077).toBe(0);
  });
});

describeEachDatabase('tocsin bounty reports, show, triage, comment and close', (database) => {
  it('lists the queue, shows a report, triages it, writes in its thread and closes it', async () => {
    const config = configFile('triage');
    const ctx = await database().context();
    try {
      const withBounty = { ...ctx, config: { ...ctx.config, bounty: BOUNTY, public_url: 'https://help.shop.example.com' } };
      const { researcher_id } = await signUpResearcher(withBounty, { email: 'ada@research.example', password: 'quartz-lantern-harbour-93', locale: 'en-GB', address: '127.0.0.1' });
      const fields = { asset: 'shop.example.com', weakness: 'CWE-79', title: 'Stored XSS in reviews', description: 'Line one\n\n**bold**', steps: '1. post', impact: 'session theft', cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' };
      // A terminal escape in a researcher's words never reaches the triager's terminal: it is refused on the way in.
      await expect(submitReport(withBounty, researcher_id, { ...fields, title: 'XSS \u001b]0;pwned\u0007' }, [], '127.0.0.1')).rejects.toMatchObject({ code: 'INVALID_REPORT' });
      await expect(submitReport(withBounty, researcher_id, { ...fields, description: 'x\u001b[2J' }, [], '127.0.0.1')).rejects.toMatchObject({ code: 'INVALID_REPORT' });
      await submitReport(withBounty, researcher_id, fields, [], '127.0.0.1');
    } finally {
      await ctx.close();
    }
    const run = (...args: string[]) => tocsinMain(['--config', config, '--actor', 'triager@staff.example', ...args], { database: database().config });
    const queue = JSON.parse((await run('bounty', 'reports', '--state', 'new', '--json')).stdout);
    expect(queue.reports).toHaveLength(1);
    const reference = queue.reports[0].reference;
    expect((await run('bounty', 'reports')).stdout).toContain(reference);
    expect((await run('bounty', 'reports', '--state', 'bogus')).status).toBe(2);

    const triaged = await run('bounty', 'triage', reference, '--state', 'triaged', '--cvss', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:N', '--comment', 'Confirmed.');
    expect(triaged.status, triaged.stderr).toBe(0);
    expect(triaged.stdout).toMatch(/state:\s+triaged/);
    expect(triaged.stdout).toMatch(/suggested reward:\s+5000 EUR \(critical tier\)/);
    const bad = await run('bounty', 'triage', reference, '--state', 'duplicate');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/duplicate_of/);
    const missing = await run('bounty', 'show', 'B-0000-0000-0000');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("('tocsin bounty reports')");

    expect((await run('bounty', 'comment', reference, 'Fix owner: reviews team', '--internal')).status).toBe(0);
    const shown = JSON.parse((await run('bounty', 'show', reference, '--json')).stdout);
    expect(shown.comments.map((comment: { internal: boolean; author: string }) => [comment.author, comment.internal])).toEqual([
      ['triager@staff.example', false],
      ['triager@staff.example', true],
    ]);
    expect(shown.events.map((event: { event: string }) => event.event)).toEqual(['submitted', 'cvss_set', 'comment', 'state_changed', 'internal_note']);

    // Closed without being resolved: only as one of the closing states, and a duplicate names its original.
    const notClosing = await run('bounty', 'close', reference, 'resolved');
    expect(notClosing.status).toBe(2);
    expect(notClosing.stderr).toContain('a report is closed as duplicate, informative, not_applicable, spam');
    expect((await run('bounty', 'close', reference, 'duplicate')).stderr).toMatch(/duplicate_of/);
    const closed = await run('bounty', 'close', reference, 'informative', '--comment', 'Known and accepted: reviews are sanitised on display.', '--json');
    expect(closed.status, closed.stderr).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ reference, state: 'informative' });

    const removed = await run('bounty', 'researcher-remove-2fa', 'ada@research.example');
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('removed the authenticator app, recovery codes and passkeys of ada@research.example');
    const unknown = await run('bounty', 'researcher-remove-2fa', 'nobody@research.example');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no researcher has signed up as nobody@research.example');
  });
});
