import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { currentSecurityTxt, generateSigningKey, importSigningKey, policyView, scoreCvss, signingKey, type PolicyView, type SigningKeyView } from '../bounty/index.ts';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import { formatFields, formatTable, printJson, printLine, say } from './io.ts';
import { commandConfig, withContext } from './options.ts';

export function bountyCommand(): Command {
  const command = new Command('bounty').description('the bug bounty programme: its policy, its signed security.txt and key, CVSS scores');

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
        process.stdout.write(file.body);
        say(file.signed ? `signed by ${file.fingerprint} at ${file.signed_at}; expires ${file.expires_at}` : 'not signed: run `tocsin bounty key generate` to sign it');
      });
    });
  return command;
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
