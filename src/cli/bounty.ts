import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { removeResearcherSecondFactors } from '../accounts/index.ts';
import {
  CLOSING_STATES,
  commentOnReport,
  currentSecurityTxt,
  generateSigningKey,
  importSigningKey,
  inCommon,
  linkBreach,
  listReports,
  policyView,
  REPORT_STATES,
  scoreCvss,
  showReport,
  signingKey,
  SLA_STANDINGS,
  triageReport,
  type PolicyView,
  type ReportState,
  type SigningKeyView,
  type TriageReportView,
} from '../bounty/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { addOutcomeCommands, formatAward, formatDisclosure, formatSla } from './bounty-outcomes.ts';
import { commandIo, formatFields, formatTable, printJson, printLine, say } from './io.ts';
import { commandConfig, withContext } from './options.ts';

export function bountyCommand(): Command {
  const command = new Command('bounty').description("the bug bounty programme: its policy, its signed security.txt and key, CVSS scores, researchers' reports and their triage");

  command
    .command('cvss')
    .description('score a CVSS 3.1 or 4.0 vector: version, score and severity (exit 2 for an invalid vector, naming the bad metric)')
    .argument('<vector>', 'e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')
    .option('--json', 'print {"version", "score", "severity"}')
    .action((vector: string, options) => {
      const { version, score, severity } = scoreCvss(vector);
      if (options.json) return printJson({ version, score, severity });
      printLine(`CVSS ${version}  ${score.toFixed(1)}  ${severity}`);
    });

  command
    .command('policy')
    .description('check the bounty: section of the configuration and print the policy the public listener publishes')
    .option('--json', 'print the policy as GET /bounty/policy.json serves it')
    .action((options, cmd: Command) => {
      const view = policyView(commandConfig(cmd).config);
      if (options.json) return printJson(view);
      printPolicy(view);
    });

  const key = command.command('key').description('the OpenPGP key that signs security.txt (stored encrypted with the installation secret)');
  key
    .command('generate')
    .description('make a new Ed25519 key and sign security.txt with it from now on (replaces the key before)')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => printKey(await generateSigningKey(ctx), options.json));
    });
  key
    .command('import')
    .description('use your own armored OpenPGP private key (e.g. from `gpg --armor --export-secret-keys FPR`)')
    .argument('<file>', 'the armored private key')
    .option('--passphrase-file <file>', 'a file holding the passphrase of a protected key (never on the command line)')
    .option('--json', 'print JSON')
    .action(async (file: string, options, cmd: Command) => {
      const armored = readInput(file, 'the key file');
      const passphrase = options.passphraseFile === undefined ? undefined : readInput(options.passphraseFile, '--passphrase-file').replace(/\r?\n$/, '');
      await withContext(cmd, async (ctx) => printKey(await importSigningKey(ctx, armored, passphrase), options.json));
    });
  key
    .command('show')
    .description('print the key: fingerprint, algorithm, user ids and the public key served at the Encryption URL')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const view = await signingKey(ctx);
        if (view === null) throw new TocsinError('NO_SIGNING_KEY', 'no key signs security.txt yet; import yours with `tocsin bounty key import FILE`, or generate one', { kind: 'not_found', next: { action: 'generate_bounty_key' } });
        printKey(view, options.json);
      });
    });

  command
    .command('security-txt')
    .description('print security.txt as the public listener serves it (signing it anew when it is due)')
    .action(async (_options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const file = await currentSecurityTxt(ctx);
        commandIo().stdout.write(file.body);
        say(file.signed ? `signed by ${file.fingerprint} at ${file.signed_at}; expires ${file.expires_at}` : 'not signed: run `tocsin bounty key generate` to sign it');
      });
    });
  command
    .command('reports')
    .description('the triage queue: reports, oldest first, by state and asset')
    .option('--state <state>', `only reports in this state: ${REPORT_STATES.join(', ')}`)
    .option('--asset <name>', 'only reports on this asset')
    .option('--sla <standing>', `only reports standing so against their response targets: ${SLA_STANDINGS.join(', ')}`)
    .option('--json', 'print {"reports": [...]} as GET /api/bounty/reports does')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const state = options.state === undefined ? undefined : parseStateOption(options.state);
        if (options.sla !== undefined && !(SLA_STANDINGS as readonly string[]).includes(options.sla)) throw invalidInput('BAD_SLA', `--sla ${options.sla}: use one of ${SLA_STANDINGS.join(', ')}`);
        const reports = await listReports(ctx, { state, asset: options.asset, sla: options.sla });
        if (options.json) return printJson({ reports });
        if (reports.length === 0) return say('no reports');
        printLine(
          formatTable(
            ['REFERENCE', 'STATE', 'SEVERITY', 'SLA', 'ASSET', 'SUBMITTED', 'TITLE'],
            reports.map((report) => [report.reference, report.state, report.severity ?? '', report.sla.next ? `${report.sla.standing}: ${report.sla.next.target} ${report.sla.next.due_at.slice(0, 10)}` : report.sla.standing, report.asset, report.submitted_at, report.title]),
          ),
        );
      });
    });

  command
    .command('show')
    .description('a report for triage: its fields, both CVSS vectors, the suggested reward, the thread with internal notes and the audit trail')
    .argument('<reference>', 'the report, e.g. B-7K2M-…')
    .option('--json', 'print the report as GET /api/bounty/reports/REFERENCE does')
    .action(async (reference: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => printReport(await showReport(ctx, reference), options.json));
    });

  command
    .command('triage')
    .description('triage a report: a new state, your CVSS vector, a comment to the researcher; audited, and the researcher is mailed')
    .argument('<reference>', 'the report')
    .option('--state <state>', `the new state: ${REPORT_STATES.filter((state) => state !== 'new').join(', ')}`)
    .option('--duplicate-of <reference>', 'the original, with --state duplicate')
    .option('--cvss <vector>', 'your CVSS 3.1 or 4.0 vector: it counts from now on, the researcher’s is kept')
    .option('--comment <text>', 'a comment to the researcher (Markdown)')
    .option('--json', 'print the report as JSON')
    .action(async (reference: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) =>
        printReport(await triageReport(ctx, reference, { state: options.state, duplicate_of: options.duplicateOf, cvss: options.cvss, comment: options.comment }), options.json),
      );
    });

  command
    .command('close')
    .description('close a report without resolving it: as a duplicate of an earlier report (the researcher is told its submission time and state), informative, not applicable or spam; audited, and the researcher is mailed')
    .argument('<reference>', 'the report')
    .argument('<as>', `how it is closed: ${CLOSING_STATES.join(', ')}`)
    .option('--duplicate-of <reference>', 'the original, when closed as a duplicate')
    .option('--comment <text>', 'a comment to the researcher (Markdown)')
    .option('--json', 'print the report as JSON')
    .action(async (reference: string, as: string, options, cmd: Command) => {
      if (!(CLOSING_STATES as readonly string[]).includes(as)) throw invalidInput('BAD_CLOSING_STATE', `a report is closed as ${CLOSING_STATES.join(', ')}; to resolve it or change its state otherwise, use 'tocsin bounty triage --state'`);
      await withContext(cmd, async (ctx) => printReport(await triageReport(ctx, reference, { state: as, duplicate_of: options.duplicateOf, comment: options.comment }), options.json));
    });

  command
    .command('breach')
    .description('mark a report "personal data reachable": opens an incident aware from now with the report as its evidence (or adds it to --incident), so the compliance clocks start; audited')
    .argument('<reference>', 'the report')
    .option('--incident <id>', 'add the report to this incident instead of opening one (aware already: its clocks keep running from its own awareness)')
    .option('--json', 'print the link as POST /api/bounty/reports/REFERENCE/breach does')
    .action(async (reference: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const link = await linkBreach(ctx, reference, { incident_id: options.incident });
        if (options.json) return printJson(link);
        say(`${link.created_incident ? 'opened' : 'added the report to'} incident ${link.incident_id}: personal data reachable through ${link.report_reference}, confirmed at ${link.confirmed_at}`);
        printLine(formatFields([['incident', link.incident_id], ['aware since', link.incident_aware_at], ['report submitted', link.report_submitted_at], ['confirmed by', link.confirmed_by]]));
        say(`the compliance clocks run from ${link.incident_aware_at}: see who must be told, by when, with 'tocsin assess ${link.incident_id}'`);
      });
    });

  command
    .command('comment')
    .description("write in a report's thread: to the researcher (mailed), or with --internal a note they never see")
    .argument('<reference>', 'the report')
    .argument('<text>', 'the comment (Markdown)')
    .option('--internal', 'an internal note for the team')
    .option('--json', 'print the report as JSON')
    .action(async (reference: string, text: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => printReport(await commentOnReport(ctx, reference, { body: text, internal: options.internal === true }), options.json));
    });
  command
    .command('researcher-remove-2fa')
    .description("for a researcher who lost their authenticator app, recovery codes and passkeys: removes them all and ends their sessions (check who asks by other means first)")
    .argument('<email>', "the researcher's address")
    .action(async (email: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const researcher = await removeResearcherSecondFactors(ctx, email);
        say(`removed the authenticator app, recovery codes and passkeys of ${researcher.email}; their sessions have ended`);
      });
    });
  addOutcomeCommands(command);
  return command;
}

function parseStateOption(value: string): ReportState {
  if (!(REPORT_STATES as readonly string[]).includes(value)) throw invalidInput('BAD_STATE', `--state ${value}: use one of ${REPORT_STATES.join(', ')}`);
  return value as ReportState;
}

/** printLine and formatFields keep a researcher's control characters off the terminal. */
function printReport(view: TriageReportView, json: boolean): void {
  if (json) return printJson(view);
  const cvss = (score: TriageReportView['researcher_cvss']) => (score === null ? '' : `${score.vector} (${score.score.toFixed(1)} ${score.severity})`);
  printLine(
    formatFields([
      ['reference', view.reference],
      ['title', view.title],
      ['state', view.original ? `${view.state} of ${view.original.reference} (submitted ${view.original.submitted_at}, ${view.original.state})` : view.state],
      ['asset', view.asset],
      ['weakness', view.weakness],
      ['researcher', view.researcher?.email ?? 'by email, not claimed by a researcher yet'],
      ['submitted', view.submitted_at],
      ['researcher CVSS', cvss(view.researcher_cvss)],
      ['triager CVSS', cvss(view.triager_cvss)],
      ['suggested reward', view.suggested_reward ? `${view.suggested_reward.amount} ${view.suggested_reward.currency} (${view.suggested_reward.tier} tier)` : ''],
      ['attachments', view.attachments.map((attachment) => `${attachment.filename} (${attachment.content_type}, ${attachment.size} B)`).join('; ')],
    ]),
  );
  if (view.breach) printLine(formatFields([['breach', `personal data reachable, confirmed at ${view.breach.confirmed_at} by ${view.breach.confirmed_by}: evidence of incident ${view.breach.incident_id}`]]));
  if (view.duplicates.length > 0) printLine(formatFields([['reported after by', view.duplicates.map((later) => `${later.reference} (${later.submitted_at})`).join('; ')]]));
  if (view.duplicate_candidates.length > 0) {
    printLine();
    printLine('may duplicate (earlier reports):');
    printLine(
      formatTable(
        ['REFERENCE', 'STATE', 'SUBMITTED', 'IN COMMON', 'TITLE'],
        view.duplicate_candidates.map((candidate) => [candidate.reference, candidate.duplicate_of ? `duplicate of ${candidate.duplicate_of}` : candidate.state, candidate.submitted_at, inCommon(candidate).join(', '), candidate.title]),
      ),
    );
  }
  printLine();
  printLine(formatSla(view.sla));
  if (view.award) printLine(formatAward(view.award));
  if (view.disclosure) printLine(formatDisclosure(view.disclosure));
  for (const [heading, text] of [['description', view.description], ['steps', view.steps], ['impact', view.impact]] as const) {
    printLine();
    printLine(`${heading}:`);
    printLine(text);
  }
  for (const comment of view.comments) {
    printLine();
    printLine(`${comment.at} ${comment.internal ? 'internal note' : 'comment'} by ${comment.author}:`);
    printLine(comment.body);
  }
}

function readInput(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw invalidInput('FILE_UNREADABLE', `cannot read ${what} ${file} (${reasonOf(error)})`);
  }
}

function printKey(view: SigningKeyView, json: boolean): void {
  if (json) return printJson(view);
  printLine(formatFields([['fingerprint', view.fingerprint], ['algorithm', view.algorithm], ['user ids', view.user_ids.join('; ')], ['created', view.created_at], ['source', view.source]]));
  printLine();
  printLine(view.public_key.trimEnd());
}

function printPolicy(view: PolicyView): void {
  say('the bounty configuration is valid');
  printLine(formatFields([['contacts', view.contacts.join(', ')], ['languages', view.languages.join(', ')], ['currency', view.rewards.currency], ['hall of fame', `${view.hall_of_fame.length} named`]]));
  printLine();
  printLine(formatTable(['ASSET', 'TIER'], view.assets.map((asset) => [asset.name, asset.tier])));
  printLine();
  const severities = Object.keys(Object.values(view.rewards.table)[0]);
  printLine(formatTable(['TIER', ...severities.map((severity) => severity.toUpperCase())], Object.entries(view.rewards.table).map(([tier, row]) => [tier, ...severities.map((severity) => String(row[severity]))])));
  printLine();
  const targets = view.response_targets;
  printLine(formatFields([['first response', `${targets.first_response_days} days`], ['triage', `${targets.triage_days} days`], ['bounty', `${targets.bounty_days} days`], ['resolution', `${targets.resolution_days} days`]]));
  if (view.urls) {
    printLine();
    printLine(formatFields(Object.entries(view.urls)));
  } else say('public_url is not set: security.txt cannot be served until it is');
}
