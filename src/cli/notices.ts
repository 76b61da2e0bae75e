import { Command } from 'commander';
import { getIncident } from '../incidents/index.ts';
import { confirmIdentity } from '../accounts/index.ts';
import { approveNotices, buildNotices, checkIncidentTemplates, initTemplates, listTemplateFiles, type NoticeApproval, noticeApproval, readTemplateFile, revertTemplateFile, type TemplatesCheck, verifyNotice, writeTemplateFile } from '../notices/index.ts';
import { previewNotices } from '../delivery/index.ts';
import { exitWith, formatFields, formatTable, printJson, printLine, printText, readPassword, readTextFile, say } from './io.ts';
import { withContext } from './options.ts';

export function templatesCommand(): Command {
  const command = new Command('templates').description("an incident's notice templates: copy the defaults for editing, list, show, write and revert a file, check them");
  command
    .command('init')
    .description("copy the built-in templates into the incident's template directory, to edit (edited files are never overwritten)")
    .argument('<id>', 'incident id')
    .action(async (id: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const incident = await getIncident(ctx, id);
        const { dir, copied } = await initTemplates(ctx, incident.id);
        say(`${copied} template files copied to ${dir}; edit them, then run 'tocsin templates check ${incident.id}'`);
        printLine(dir);
      });
    });
  command
    .command('check')
    .description("check the templates an incident would use: syntax, variables, phrases, every locale renders, each variant meets its jurisdictions' rules; and the authority reports' words in every language")
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const view = await checkIncidentTemplates(ctx, id);
        if (options.json) printJson(view);
        else printCheck(view);
        if (view.problems.length > 0) exitWith(1);
      });
    });
  command
    .command('list')
    .description("list the template files the incident's notices and reports use, and which it has its own copy of")
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const listed = await listTemplateFiles(ctx, id);
        if (options.json) return printJson(listed);
        printLine(formatTable(['NAME', 'OWN', 'SHA256'], listed.items.map((file) => [file.name, file.overridden ? 'yes' : '-', file.sha256 ?? '(symbolic link)'])));
        if (listed.notices_stale) say(stale(id));
      });
    });
  command
    .command('show')
    .description("print one template file: the incident's copy, else the built-in one")
    .argument('<id>', 'incident id')
    .argument('<name>', "the file as 'templates list' names it, e.g. fr/notice.txt.liquid")
    .action(async (id: string, name: string, _options, cmd: Command) => {
      await withContext(cmd, async (ctx) => printText((await readTemplateFile(ctx, id, name)).text));
    });
  command
    .command('write')
    .description("write the incident's own copy of a template file from a file (- for standard input), whole, then check the templates")
    .argument('<id>', 'incident id')
    .argument('<name>', "the file as 'templates list' names it, e.g. fr/notice.txt.liquid")
    .requiredOption('--file <file>', 'the new text, UTF-8; - reads standard input')
    .option('--dry-run', 'write nothing: check the templates as they would be')
    .option('--json', 'print JSON')
    .action(async (id: string, name: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const written = await writeTemplateFile(ctx, id, name, await readTextFile(options.file), { dryRun: options.dryRun === true });
        if (options.json) printJson(written);
        else {
          say(written.written ? `wrote ${name} of incident ${id} (sha256 ${written.file.sha256})` : `dry run: ${name} not written`);
          printCheck(written.check);
          if (written.notices_stale) say(stale(id));
        }
        if (written.check.problems.length > 0) exitWith(1);
      });
    });
  command
    .command('revert')
    .description("delete the incident's copy of a template file, so its notices use the built-in one again")
    .argument('<id>', 'incident id')
    .argument('<name>', "the file as 'templates list' names it, e.g. fr/notice.txt.liquid")
    .option('--json', 'print JSON')
    .action(async (id: string, name: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const reverted = await revertTemplateFile(ctx, id, name);
        if (options.json) return printJson(reverted);
        say(reverted.written ? `${name} of incident ${id} is the built-in one again` : `incident ${id} had no copy of ${name}; nothing changed`);
        printCheck(reverted.check);
        if (reverted.notices_stale) say(stale(id));
      });
    });
  return command;
}

/** What `templates check` found, as a line when all is well, else a table of the problems. */
function printCheck(view: TemplatesCheck): void {
  if (view.problems.length === 0) {
    const offered = Object.entries(view.variants).map(([variant, locales]) => `${variant}: ${locales.join(', ')}`);
    printLine(`templates OK: ${offered.join('; ')}; authority reports: ${view.reports.join(', ')} (from ${view.dirs.join(', then ')})`);
  } else printLine(formatTable(['KIND', 'VARIANT', 'LOCALE', 'PROBLEM'], view.problems.map((p) => [p.kind, ('variant' in p && p.variant) || '-', p.locale ?? '-', p.message])));
}

const stale = (id: string) => `notices not yet sent were built from other templates: sending refuses them until 'tocsin notices build ${id}' builds them again`;

export function noticesCommand(): Command {
  const command = new Command('notices').description('one notice per affected person: build them from the latest scope run, preview them');
  command
    .command('build')
    .description('make or update the notices of the latest scope run; sent notices are kept (idempotent)')
    .argument('<id>', 'incident id')
    .option('--shop-address <address>', 'the shop as customers type it, e.g. shop.example.com (notices never carry links; default: the first of shop.domains in the configuration)')
    .option('--verify-address <address>', 'the verification page as customers type it (default: <shop>/verify)')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const summary = await buildNotices(ctx, id, { shopAddress: options.shopAddress, verifyAddress: options.verifyAddress });
        if (options.json) return printJson(summary);
        printLine(
          formatFields([
            ['scope run', summary.run],
            ['notices', summary.total],
            ['added', summary.added],
            ['updated', summary.updated],
            ['withdrawn', summary.withdrawn],
            ['already sent', summary.kept],
            ['invalid address', summary.refused],
            ['locales', Object.entries(summary.locales).map(([locale, n]) => `${locale} ${n}`).join(', ') || '—'],
            ['variants', Object.entries(summary.variants).map(([variant, n]) => `${variant} ${n}`).join(', ') || '—'],
          ]),
        );
        if (summary.refused > 0) say(`${summary.refused} notices will not be sent: their address is not a valid mailbox; 'tocsin delivery ${id} --unreached' lists them for a letter`);
        say(`next: 'tocsin notices preview ${id}' to review; another account with the privacy role approves them ('tocsin notices approve ${id} --as EMAIL --password-stdin'); then 'tocsin send ${id} --from ADDRESS'`);
      });
    });
  command
    .command('preview')
    .description('write notices as they would be sent (.eml: the bytes send sends, but for its DKIM signature and date; .html) for review: one per variant and locale, or one person’s')
    .argument('<id>', 'incident id')
    .option('--email <email>', "this person's notice")
    .option('--locale <locale>', 'notices in this locale only')
    .option('--out <dir>', 'where to write (default: <data dir>/preview/<id>)')
    .option('--from <address>', "the sender, as 'tocsin send --from' takes it (default: sender.from in the configuration, else the incident's contact email)")
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const preview = await previewNotices(ctx, id, { email: options.email, locale: options.locale, outDir: options.out, from: options.from });
        if (options.json) return printJson(preview);
        printLine(formatTable(['VARIANT', 'LOCALE', 'EML', 'HTML'], preview.files.map((file) => [file.variant, file.locale, file.eml, file.html])));
      });
    });
  command
    .command('approval')
    .description('who built the notices as they are, when, and who approved them (the four-eyes rule)')
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const approval = await noticeApproval(ctx, id);
        if (options.json) return printJson(approval);
        printLine(approvalFields(approval));
      });
    });
  command
    .command('approve')
    .description('approve the notices as built, as an account with the privacy role that did not build them (the four-eyes rule); its password (and second factor) confirm it is that person')
    .argument('<id>', 'incident id')
    .requiredOption('--as <email>', "the approving privacy officer's account")
    .requiredOption('--password-stdin', "read that account's password from standard input (one line)")
    .option('--otp <code>', 'the code from their authenticator app, or a recovery code, when the account has one')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      const password = await readPassword();
      await withContext(cmd, async (ctx) => {
        const approver = await confirmIdentity(ctx, { email: options.as, password, otp: options.otp, address: 'command-line' });
        const approval = await approveNotices({ ...ctx, actor: approver.email }, id, approver);
        if (options.json) return printJson(approval);
        printLine(approvalFields(approval));
        say(`next: 'tocsin send ${approval.incident_id} --from ADDRESS'`);
      });
    });
  return command;
}

function approvalFields(approval: NoticeApproval): string {
  return formatFields([
    ['built by', `${approval.built_by ?? 'unknown (built before Tocsin recorded it)'} at ${approval.built_at}`],
    ['approved by', approval.approved_by ? `${approval.approved_by} at ${approval.approved_at}` : 'nobody yet'],
    ['sending', approval.required ? (approval.approved_by ? 'may start' : 'waits for the approval') : 'needs no approval (notices.require_approval is false)'],
  ]);
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('check that a notice someone received is genuine: its code and their address belong together')
    .argument('<code>', 'the verification code from the notice, e.g. 7KQ2M-X9D4H-RT8ZC')
    .requiredOption('--email <email>', 'the address the notice was sent to')
    .option('--json', 'print JSON')
    .action(async (code: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const result = await verifyNotice(ctx, code, options.email);
        if (options.json) printJson(result);
        else if (result.genuine && result.incident_id === null) printLine(`genuine: the portal's answer sent to ${result.email} on ${result.sent_at}, subject "${result.subject}"`);
        else if (result.genuine) printLine(`genuine: sent to ${result.email} on ${result.sent_at} about ${result.incident_id} "${result.incident_title}", subject "${result.subject}"`);
        else if (result.typo) printLine('this is not a verification code: check it for a typo (codes look like 7KQ2M-X9D4H-RT8ZC)');
        else printLine('no notice matches this code and address');
        if (!result.genuine) exitWith(1);
      });
    });
}
