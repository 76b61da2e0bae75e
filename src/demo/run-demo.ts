import { generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { assessIncident, type Assessment, authorityReport, type JurisdictionLine, renderReport } from '../compliance/index.ts';
import { openContext } from '../context.ts';
import { previewNotices, sendCampaign } from '../delivery/index.ts';
import { ensureWritableDirectory } from '../lib/directory.ts';
import { writePrivateFile } from '../lib/private-file.ts';
import { buildNotices } from '../notices/index.ts';
import { deskDependencies, importFile, listCampaigns, type ReportView } from '../phishing/index.ts';
import { importRecords } from '../records/index.ts';
import { type AffectedSubject, affectedSubjects, detectSuspects, loadScopeFile, ruleColumns, runScope } from '../scoping/index.ts';
import { stringify } from 'yaml';
import { DEMO_BOUNTY, seedDemoProgramme } from './bounty-programme.ts';
import { approveAsDemoPrivacyOfficer } from './admin.ts';
import { generateDemoShop } from './generate.ts';
import { phishingWave } from './phishing-wave.ts';
import { createDemoIncident } from './narratives.ts';
import { DEMO_DKIM, DEMO_INCIDENT, DEMO_NOW, DEMO_SENDER, DEMO_SHOP_ADDRESS } from './story.ts';
import type { Truth } from './truth.ts';
import { freshWorkspace, type DemoWorkspace } from './workspace.ts';
import { configWith } from '../config.ts';

export interface DemoStep {
  stage: string;
  /** What the stage did, in one sentence. */
  did: string;
  /** Where its results are: a file, or the command that shows them. */
  where: string;
}

export interface DemoRunOptions {
  dir: string;
  orders: number;
  logLines: number;
  seed: number;
  actor?: string;
  onStep?: (step: DemoStep) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface DemoReport {
  workspace: DemoWorkspace;
  incidentId: string;
  steps: DemoStep[];
  /** Who must be told, by when: the demo ends on it. */
  assessment: Assessment;
}

/**
 * The whole job on a generated shop, stage after stage, in a fresh workspace with its own
 * SQLite database: what `npm start` shows. Each stage of the pipeline adds its step here.
 */
export async function runDemo(options: DemoRunOptions): Promise<DemoReport> {
  const workspace = freshWorkspace(options.dir);
  const steps: DemoStep[] = [];
  const step = (value: DemoStep) => {
    steps.push(value);
    options.onStep?.(value);
  };
  const cli = `npx tocsin --data-dir ${shortPath(workspace.data)}`;

  const shop = await generateDemoShop({
    outDir: workspace.shop,
    orders: options.orders,
    logLines: options.logLines,
    seed: options.seed,
    onProgress: options.onProgress,
  });
  step({
    stage: 'demo shop',
    did: `generated ${shop.orders.toLocaleString('en')} orders of ${shop.customers.toLocaleString('en')} customers and ${shop.logLines.toLocaleString('en')} access log lines, ${shop.attackRequests.toLocaleString('en')} of them the attacker's`,
    where: shortPath(workspace.shop),
  });

  // The demo's clock stands at DEMO_NOW but for the phishing wave, which comes in over the hours after.
  let clock = DEMO_NOW;
  const ctx = await openContext({ config: configWith({ data_dir: workspace.data, shop: { name: DEMO_INCIDENT.controller ?? undefined, domains: [DEMO_SHOP_ADDRESS] }, bounty: DEMO_BOUNTY }), actor: options.actor ?? 'tocsin-demo', now: () => clock });
  try {
    const incident = await createDemoIncident(ctx);
    step({
      stage: 'incident',
      did: `opened incident ${incident.id} "${incident.title}", aware since ${incident.aware_at}`,
      where: `${cli} incident show ${incident.id}; ${cli} audit ${incident.id} --verify`,
    });
    const rulesPath = join(workspace.shop, 'scope.yml');
    const logs = ['access.log.2.gz', 'access.log.1', 'access.log'].map((name) => join(workspace.shop, name));
    const imported = await importRecords(ctx, incident.id, join(workspace.shop, 'orders.csv'), {
      preset: 'tocsin-demo',
      ruleColumns: ruleColumns((await loadScopeFile(rulesPath)).scope),
    });
    step({
      stage: 'import',
      did: `imported ${count(imported.imported)} orders of ${count(imported.subjects)} customers, ${count(imported.quarantined)} rows quarantined`,
      where: `${cli} evidence ${incident.id}`,
    });

    const detection = await detectSuspects(ctx, incident.id, { rulesPath, logs, top: 5 });
    const top = detection.suspects[0];
    step({
      stage: 'detect',
      did: `ranked every client of the lookup endpoints; the top suspect, ${top?.ip ?? 'none'} (account ${top?.account ?? '-'}), read ${count(top?.records ?? 0)} other people's orders`,
      where: `${cli} detect ${incident.id} --rules ${shortPath(rulesPath)} --logs ${shortPath(join(workspace.shop, 'access.log*'))}`,
    });

    const scope = await runScope(ctx, incident.id, { rulesPath, logs });
    const categories = scope.categories.map(({ category, subjects }) => `${category} (${count(subjects)})`).join(', ');
    step({
      stage: 'scope',
      did: `${count(scope.attackerRequests)} attacker requests through the rules read ${count(scope.exposedRecords)} orders of ${count(scope.affected)} people; exposed: ${categories}`,
      where: `${cli} affected ${incident.id}; ${cli} explain ${incident.id} EMAIL`,
    });

    const found = await affectedSubjects(ctx, incident.id);
    const truth = JSON.parse(await readFile(join(workspace.shop, 'truth.json'), 'utf8')) as Truth;
    const exact = sameAffected(found.subjects, truth);
    step({
      stage: 'ground truth',
      did: `${count(shop.affectedSubjects)} customers were really affected; scoping found ${exact ? 'exactly them, with exactly their exposed data' : 'a DIFFERENT set: this is a bug'}`,
      where: shortPath(join(workspace.shop, 'truth.json')),
    });

    const notices = await buildNotices(ctx, incident.id, { shopAddress: DEMO_SHOP_ADDRESS });
    const preview = await previewNotices(ctx, incident.id, {});
    const approval = await approveAsDemoPrivacyOfficer(ctx, incident.id);
    step({
      stage: 'notices',
      did: `built ${count(notices.total)} notices, one per affected person, in their language (${Object.entries(notices.locales).map(([locale, n]) => `${locale} ${count(n)}`).join(', ')}), each with its verification code; approved by ${approval.approved_by}, who did not build them (the four-eyes rule)`,
      where: `${shortPath(preview.dir)} (one per variant and language, .eml and .html)`,
    });

    // A fresh key per demo: the shop's real one lives with its DNS, never in a generated workspace.
    const dkimKey = join(workspace.root, 'dkim-ed25519.pem');
    writePrivateFile(dkimKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const outbox = join(workspace.data, 'outbox');
    const sent = await sendCampaign(ctx, incident.id, { from: DEMO_SENDER, transport: `file:${outbox}`, dkim: { ...DEMO_DKIM, keyFile: dkimKey } });
    const example = readdirSync(outbox).sort()[0];
    step({
      stage: 'send',
      did: `delivered ${count(sent.run.sent)} notices into the file outbox in ${sent.seconds.toFixed(1)} s, DKIM-signed (${sent.dkim?.algorithm} d=${sent.dkim?.domain}); ${count(sent.states.sent)} of ${count(sent.total)} sent, each state recorded`,
      where: `${shortPath(outbox)} (one .eml per notice; open ${example ?? 'one'} in a mail client); ${cli} delivery ${incident.id}`,
    });

    const assessment = await assessIncident(ctx, incident.id);
    const report = await authorityReport(ctx, incident.id, 'FR', 'initial');
    const reportPath = join(workspace.root, 'reports', 'FR-initial.md');
    ensureWritableDirectory(dirname(reportPath), 'the demo workspace', 'choose another with --dir');
    writePrivateFile(reportPath, renderReport(report, 'md'));
    const required = assessment.lines.filter((line) => line.authority.duty === 'required');
    step({
      stage: 'compliance',
      did: `assessed ${assessment.lines.length} jurisdictions as of ${DEMO_NOW.toISOString()}: ${required.length} authorities must be told, the first by ${firstDeadline(required) ?? '—'}; the report to the CNIL has ${report.needs_human} sections only a person can write`,
      where: `${shortPath(reportPath)}; ${cli} assess ${incident.id} --as-of ${DEMO_NOW.toISOString()}`,
    });

    // The phishing that follows: customers' names and order numbers quoted from look-alike domains.
    const targets = found.subjects.filter((subject) => subject.name && subject.records.length > 0).slice(0, PHISH_TARGETS);
    const wave = phishingWave(targets.map((subject) => ({ email: subject.email, name: subject.name!, order: subject.records[0] })), DEMO_NOW);
    // Offline: the demo's look-alike domains resolve to nothing, so authentication has nothing to find.
    const desk = await deskDependencies(ctx, async () => Promise.reject(Object.assign(new Error('the demo resolves no name'), { code: 'ENOTFOUND' })));
    const reports: ReportView[] = [];
    for (const phish of wave) {
      // Each reported a few minutes after it was sent.
      clock = new Date(phish.sentAt.getTime() + REPORT_DELAY_MS);
      await importFile(ctx, phish.message, desk, (view) => reports.push(view));
    }
    const campaigns = await listCampaigns(ctx);
    const quoting = reports.filter((view) => view.leaked.some((leak) => leak.incident === incident.id)).length;
    step({
      stage: 'phishing',
      did: `a phishing wave of ${count(wave.length)} messages quoting affected customers' names and order numbers came in: ${count(quoting)} use data from incident ${incident.id}; the desk found ${campaigns.length} campaigns: ${campaigns.map((campaign) => `${campaign.id} (${campaign.report_count} reports, ${campaign.verdict}, from ${campaign.domains.join(', ')})`).join('; ')}`,
      where: `${cli} phishing campaigns; ${cli} phishing takedown ${campaigns[0]?.id ?? 'CAMPAIGN'}`,
    });

    // The bug bounty the shop opened the morning after: its programme in the workspace's tocsin.yml, for the commands that show it.
    const programme = await seedDemoProgramme(ctx, incident.id);
    const configFile = join(workspace.root, 'tocsin.yml');
    writePrivateFile(configFile, stringify({ bounty: DEMO_BOUNTY }));
    const { breach, duplicate } = programme;
    const states = Object.entries(programme.states).map(([state, n]) => `${n} ${state}`).join(', ');
    step({
      stage: 'bug bounty',
      did: `the shop opened a bug bounty: researchers sent ${Object.values(programme.states).reduce((sum, n) => sum + n, 0)} reports (${states}); ${duplicate.reference} was closed as a duplicate of ${duplicate.original} (in common: ${duplicate.in_common.join(', ')}); ${breach.report_reference}, the IMEI lookup again, was confirmed "personal data reachable" at ${breach.confirmed_at} and linked to incident ${breach.incident_id} as its evidence (aware since ${breach.incident_aware_at}, before the report came in at ${breach.report_submitted_at})`,
      where: `${cli} --config ${shortPath(configFile)} bounty show ${breach.report_reference}; ${cli} --config ${shortPath(configFile)} bounty reports`,
    });
    return { workspace, incidentId: incident.id, steps, assessment };
  } finally {
    await ctx.close();
  }
}

const count = (n: number) => n.toLocaleString('en');
/** Phish in the demo's wave: enough for two campaigns, few enough to keep the demo quick. */
const PHISH_TARGETS = 15;
/** From a phish's sending to its report reaching the desk. */
const REPORT_DELAY_MS = 4 * 60_000;

function firstDeadline(lines: JurisdictionLine[]): string | null {
  const due = lines.flatMap((line) => line.authority.clocks.map((clock) => clock.due_at)).filter((at) => at !== null);
  return due.sort()[0] ?? null;
}

/** Scoping's answer against the generator's truth: same people, same exposed categories, same records. */
function sameAffected(subjects: AffectedSubject[], truth: Truth): boolean {
  const key = (email: string, exposed: string[], records: string[]) => `${email}|${[...exposed].sort().join()}|${records.join()}`;
  const found = new Set(subjects.map((s) => key(s.subject, s.exposed, s.records)));
  return found.size === truth.affected.length && truth.affected.every((t) => found.has(key(t.email, t.exposed, t.records)));
}

/** Paths as a person in the current directory would type them. */
function shortPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}
