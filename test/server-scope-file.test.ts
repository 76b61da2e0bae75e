import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { generateDemoShop } from '../src/demo/generate.ts';
import { createDemoIncident } from '../src/demo/narratives.ts';
import { importRecords, presetViews } from '../src/records/index.ts';
import { diffRuns, loadScopeFile, parseScopeFile, ruleColumns, runDiffView, runScope } from '../src/scoping/index.ts';
import type { Listeners } from '../src/server/index.ts';
import { describeEachDatabase } from './helpers/databases.ts';
import { tocsinMain } from './helpers/cli.ts';
import { addStaff, asRole, json, startTestListeners } from './helpers/server.ts';

// What the console's Records and Scoping pages ask of the server besides jobs: the presets, a scope
// file checked line by line, a suspect added to its indicators, and the diff of two chosen runs.

const shop = mkdtempSync(join(tmpdir(), 'tocsin-scope-file-'));
afterAll(() => rmSync(shop, { recursive: true, force: true }));
let scopeYml: string;
/** The demo's rules without their indicators, and with the IMEI lookup only: a first, narrower run. */
let narrower: string;
beforeAll(async () => {
  await generateDemoShop({ outDir: shop, orders: 300, logLines: 3_000, seed: 5 });
  scopeYml = readFileSync(join(shop, 'scope.yml'), 'utf8');
  narrower = scopeYml.replace(/  - name: order-api[\s\S]*?(?=indicators:)/, '');
  writeFileSync(join(shop, 'narrower.yml'), narrower);
});

const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

describeEachDatabase('scope files and run diffs over the API', (database) => {
  let ctx: OpenContext;
  let listeners: Listeners;
  let id: string;
  let responder: ReturnType<typeof asRole>;
  let viewer: ReturnType<typeof asRole>;
  beforeAll(async () => {
    ctx = await database().context();
    ({ id } = await createDemoIncident(ctx));
    const rules = join(shop, 'scope.yml');
    const logs = ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(shop, name));
    await importRecords(ctx, id, join(shop, 'orders.csv'), { preset: 'tocsin-demo', ruleColumns: ruleColumns((await loadScopeFile(rules)).scope) });
    await runScope(ctx, id, { rulesPath: join(shop, 'narrower.yml'), logs });
    await runScope(ctx, id, { rulesPath: rules, logs });
    const staff = await addStaff(ctx);
    listeners = await startTestListeners(ctx);
    responder = asRole(listeners.staffUrl, staff, 'responder');
    viewer = asRole(listeners.staffUrl, staff, 'viewer');
  });
  afterAll(async () => {
    await listeners?.close();
    await ctx?.close();
  });

  it('lists the import presets with the columns each reads', async () => {
    const { items } = await json(viewer('/api/import-presets'));
    expect(items).toEqual(presetViews());
    const shopify = items.find((preset: { name: string }) => preset.name === 'shopify');
    expect(shopify).toMatchObject({ key: 'Name', subject: 'Email' });
    expect(shopify.columns).toContainEqual({ column: 'Billing Phone', category: 'phone' });
  });

  it('checks a scope file: its rules when valid, else every problem at its line', async () => {
    const valid = await json(viewer('/api/scope-file/check', post({ rules: scopeYml })));
    expect(valid.problems).toEqual([]);
    expect(valid.rules.map((rule: { name: string; columns: string[] }) => [rule.name, rule.columns])).toEqual([
      ['imei-lookup', ['imei']],
      ['order-api', ['order_id']],
    ]);
    const lines = scopeYml.split('\n');
    const exposes = lines.findIndex((line) => line.includes('exposes:'));
    lines[exposes] = '    exposes: [name, shoe_size]';
    lines.push('colour: blue');
    const broken = await json(viewer('/api/scope-file/check', post({ rules: lines.join('\n') })));
    expect(broken.rules).toEqual([]);
    expect(broken.problems).toEqual([
      { line: exposes + 1, message: expect.stringMatching(/^rules\[0\]\.exposes\[1\]: unknown category 'shoe_size'/) },
      { line: lines.length, message: "colour: unknown key 'colour'; expected one of: rules, indicators" },
    ]);
    const unparsable = await json(viewer('/api/scope-file/check', post({ rules: 'rules: [\n' })));
    expect(unparsable.problems).toHaveLength(1);
    expect(unparsable.problems[0].line).toBe(2);
    const missing = await viewer('/api/scope-file/check', post({}));
    expect(missing.status).toBe(400);
  });

  it("adds a suspect to the indicators, for scoping:write only, and refuses a file it cannot edit", async () => {
    const rulesOnly = scopeYml.slice(0, scopeYml.indexOf('indicators:'));
    const suspect = { ip: '203.0.113.50', user_agent: null, account: '4242', first_seen: Date.parse('2019-10-30T10:00:00Z'), last_seen: Date.parse('2019-11-02T11:00:00Z') };
    const added = await json(responder('/api/scope-file/indicators', post({ rules: rulesOnly, ...suspect })));
    expect(added.rules.startsWith(rulesOnly)).toBe(true);
    expect(parseScopeFile(added.rules, 'scope.yml').indicators).toEqual({
      ips: ['203.0.113.50'],
      userAgents: [],
      accounts: ['4242'],
      from: suspect.first_seen,
      until: suspect.last_seen + 999,
    });
    expect((await viewer('/api/scope-file/indicators', post({ rules: rulesOnly, ...suspect }))).status).toBe(403);
    const refused = await responder('/api/scope-file/indicators', post({ rules: 'rules: []\n', ...suspect }));
    expect(refused.status).toBe(400);
    expect((await json(refused)).error).toMatchObject({ code: 'SCOPE_FILE_INVALID', message: expect.stringContaining('line 1: rules: must list at least one rule') });
  });

  it('diffs two chosen runs either way, the last two by default, and names a run that does not exist', async () => {
    const latest = await json(viewer(`/api/incidents/${id}/scope-runs/diff`));
    expect(latest).toEqual(runDiffView(await diffRuns(ctx, id)));
    expect(latest).toMatchObject({ from: 1, to: 2, removed: [] });
    expect(latest.added.length).toBeGreaterThan(0);
    const backwards = await json(viewer(`/api/incidents/${id}/scope-runs/diff?from=2&to=1`));
    expect(backwards).toMatchObject({ from: 2, to: 1, added: [] });
    expect(backwards.removed).toEqual(latest.added);
    const same = await json(viewer(`/api/incidents/${id}/scope-runs/diff?from=2&to=2`));
    expect([same.added, same.removed, same.changed]).toEqual([[], [], []]);
    const none = await viewer(`/api/incidents/${id}/scope-runs/diff?from=1&to=3`);
    expect(none.status).toBe(404);
    expect((await json(none)).error).toMatchObject({ code: 'SCOPE_RUN_NOT_FOUND', message: expect.stringContaining('its runs are 1 to 2') });
    expect((await viewer(`/api/incidents/${id}/scope-runs/diff?from=zero`)).status).toBe(400);
    const first = await viewer(`/api/incidents/${id}/scope-runs/diff?to=1`);
    expect(first.status).toBe(400);
    expect((await json(first)).error.code).toBe('NO_EARLIER_RUN');
  });

  it('diffs the same two runs from the command line (scope --diff --from --to)', async () => {
    const cli = (...args: string[]) => tocsinMain(args, { database: database().config });
    const backwards = await cli('scope', id, '--diff', '--from', '2', '--to', '1', '--json');
    expect(backwards.status, backwards.stderr).toBe(0);
    expect(JSON.parse(backwards.stdout)).toMatchObject({ from: 2, to: 1, added: [] });
    const none = await cli('scope', id, '--diff', '--to', '3');
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain('has no scope run 3; its runs are 1 to 2');
  });
});
