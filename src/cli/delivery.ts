import { Command, Option } from 'commander';
import { bounceImportView, deliveryProgress, type DeliveryProgress, deliveryView, importBounces, noticeDeliveries, type NoticeDelivery, sendCampaign, type SendSummary, sendSummaryView, type UnreachedSubject, unreachedSubjects, unreachedView } from '../delivery/index.ts';
import { readPasswordFile, type SmtpPassword } from '../mail/index.ts';
import { invalidInput } from '../lib/errors.ts';
import { commandIo, csvText, exitWith, formatFields, formatTable, jsonText, printJson, printLine, progressBar, say, writeOutFile } from './io.ts';
import { wholeNumber, withContext } from './options.ts';

/** Exit statuses of a send stopped by a signal before it was done (128 + the signal's number, as shells report it). */
const STOPPED_BY: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export function sendCommand(): Command {
  return new Command('send')
    .description('send the notices until each is sent, bounced or failed; Ctrl-C or SIGTERM stops cleanly (exit 130/143), running it again resumes')
    .argument('<id>', 'incident id')
    .option('--from <address>', 'the sender: notices@shop.example.com, or "Example Shop <notices@shop.example.com>" (default: sender.from in the configuration)')
    .option('--transport <url>', 'smtp://[user:password@]host[:port] (STARTTLS when offered, port 587), smtps://… (TLS, 465), or file:DIR for one .eml per notice (default: smtp.url in the configuration, else file:<data dir>/outbox)')
    .option('--smtp-password-file <file>', `the SMTP password, read from a file (one trailing newline ignored), for smtp://user@host; TOCSIN_SMTP_PASSWORD or smtp.password_file in the configuration give it too. Either keeps it out of ps, which shows --transport`)
    .option('--rate <n>', 'messages per second in all, 0 for no limit (default over SMTP: 50)', rate('--rate'))
    .option('--per-domain <n>', 'messages per second to one recipient domain, slower while it answers 4xx; 0 for no limit (default over SMTP: 10)', rate('--per-domain'))
    .option('--dkim-domain <domain>', 'sign with DKIM for this domain (d=); the three --dkim-* flags together, else sender.dkim in the configuration')
    .option('--dkim-selector <selector>', 'the DKIM selector (s=): the key is published at <selector>._domainkey.<domain>')
    .option('--dkim-key <file>', 'the DKIM private key, PEM: RSA (2048 bits) or Ed25519')
    .option('--workers <n>', 'SMTP connections', wholeNumber('--workers'), 4)
    .option('--json', 'print the summary as JSON')
    .action(async (id: string, options, cmd: Command) => {
      const dkimFlags = [options.dkimDomain, options.dkimSelector, options.dkimKey];
      if (dkimFlags.some(Boolean) && !dkimFlags.every(Boolean)) throw invalidInput('DKIM_INCOMPLETE', 'DKIM signing needs --dkim-domain, --dkim-selector and --dkim-key together');
      await withContext(cmd, async (ctx) => {
        const stop = new AbortController();
        let signalled: keyof typeof STOPPED_BY | null = null;
        const onSignal = (signal: keyof typeof STOPPED_BY) => {
          if (signalled) {
            say(`${signal} again: quitting at once; the notices in flight are sent again by the next 'tocsin send ${id}'`);
            process.exit(STOPPED_BY[signal]);
          }
          signalled = signal;
          say(`${signal}: stopping; finishing the messages in flight (again to quit at once)`);
          stop.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const bar = progressBar('sending', 1, { quiet: options.json || !ctx.config.progress });
        let summary: SendSummary;
        try {
          summary = await sendCampaign(ctx, id, {
            from: options.from,
            transport: options.transport,
            smtpPassword: smtpPassword(options.smtpPasswordFile),
            rate: options.rate,
            perDomain: options.perDomain,
            dkim: options.dkimDomain ? { domain: options.dkimDomain, selector: options.dkimSelector, keyFile: options.dkimKey } : undefined,
            workers: options.workers,
            signal: stop.signal,
            onProgress: (progress) => bar.update(progress.sent + progress.bounced + progress.failed, progress.total),
          });
        } finally {
          bar.stop();
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        if (signalled && !summary.completed) exitWith(STOPPED_BY[signalled]);
        if (options.json) return printJson(sendSummaryView(summary));
        printSendSummary(summary);
        if (!summary.completed) say(`stopped before the end; 'tocsin send ${id} --from …' resumes where this run left off`);
        else if (summary.dkim) say(`receivers check the signatures against the DNS TXT record ${summary.dkim.dnsRecord.name}: "${summary.dkim.dnsRecord.value}"`);
        say(`'tocsin delivery ${id}' shows each notice; 'tocsin delivery ${id} --unreached' those to reach by letter`);
      });
    });
}

function printSendSummary(summary: SendSummary): void {
  const { run, states } = summary;
  printLine(
    formatFields([
      ['transport', summary.transport],
      ['DKIM', summary.dkim ? `${summary.dkim.algorithm} d=${summary.dkim.domain} s=${summary.dkim.selector}` : 'not signed'],
      ['this run', `${run.sent} sent, ${run.bounced} bounced, ${run.failed} failed, ${run.deferred} deferred, ${run.taken_over} taken over from a stopped sender`],
      ['time', `${summary.seconds.toFixed(1)} s (${Math.round((run.sent + run.bounced + run.failed) / Math.max(summary.seconds, 0.001))} notices/s)`],
      ['campaign', describeStates(states, summary.total)],
    ]),
  );
}

function describeStates(states: DeliveryProgress['states'], total: number): string {
  const parts = (['sent', 'bounced', 'failed', 'deferred', 'queued', 'sending'] as const).filter((state) => states[state] > 0).map((state) => `${states[state]} ${state}`);
  return `${parts.join(', ')} of ${total}`;
}

const NOTICE_HEADER = ['seq', 'email', 'locale', 'state', 'attempts', 'sent_at', 'last_reply', 'message_id'];
const noticeCells = (n: NoticeDelivery) => [n.seq, n.email, n.locale, n.state, n.attempts, n.sentAt, n.lastReply, n.messageId];
const UNREACHED_HEADER = ['email', 'name', 'postal_address', 'state', 'last_reply'];
const unreachedCells = (u: UnreachedSubject) => [u.email, u.name, u.postalAddress, u.state, u.lastReply];

export function deliveryCommand(): Command {
  return new Command('delivery')
    .description('the proof of who was told and when: progress, and per notice its state, attempts, last SMTP reply and sent-at')
    .argument('<id>', 'incident id')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .option('--json', 'the same as --format json')
    .option('--unreached', 'only the people not reached (bounced or failed), with their postal address when imported: for a letter campaign')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const format: string = options.json ? 'json' : options.format;
        const screen = !options.out;
        let text: string;
        if (options.unreached) {
          const unreached = await unreachedSubjects(ctx, id);
          text =
            format === 'json'
              ? jsonText(unreachedView(unreached), screen)
              : format === 'csv'
                ? csvText(UNREACHED_HEADER, unreached.map(unreachedCells), screen)
                : `${unreached.length} people not reached\n${table(UNREACHED_HEADER, unreached.map(unreachedCells))}`;
        } else {
          const progress = await deliveryProgress(ctx, id);
          const notices = await noticeDeliveries(ctx, id);
          text =
            format === 'json'
              ? jsonText(deliveryView(progress, notices), screen)
              : format === 'csv'
                ? csvText(NOTICE_HEADER, notices.map(noticeCells), screen)
                : `${describeProgress(progress)}\n\n${table(NOTICE_HEADER, notices.map(noticeCells))}`;
        }
        if (screen) return commandIo().stdout.write(text);
        writeOutFile(options.out, text);
        say(`written to ${options.out}`);
      });
    });
}

function describeProgress(progress: DeliveryProgress): string {
  return formatFields([
    ['incident', progress.incidentId],
    ['notices', describeStates(progress.states, progress.total)],
    ['done', `${progress.done} of ${progress.total} (${Math.floor((100 * progress.done) / progress.total)}%)`],
    ['first sent', progress.firstSentAt],
    ['last sent', progress.lastSentAt],
    ['next retry', progress.nextAttemptAt],
    ['sending now', progress.senders.map((s) => `pid ${s.pid} on ${s.host} since ${s.startedAt}`).join('; ') || 'nobody'],
    ['slowed down', slowedDomains(progress.throttles.domains) || 'no domain'],
    ['audit', progress.auditCheckpoint],
  ]);
}

/** The domains the senders slowed down after 4xx replies, as of their last heartbeat (--json has every domain's throttle). */
function slowedDomains(domains: DeliveryProgress['throttles']['domains']): string {
  return domains
    .filter((domain) => domain.slowed_since !== null)
    .map((domain) => `${domain.domain} at ${domain.pace}/s since ${domain.slowed_since} (${domain.deferrals} × 4xx, last ${domain.last_deferral ?? 'without a code'})`)
    .join('; ');
}

export function bouncesCommand(): Command {
  return new Command('bounces')
    .description('read bounce reports that came back later (RFC 3464 .eml files or mbox) and mark those notices bounced, with the reason')
    .argument('<id>', 'incident id')
    .argument('<files...>', 'delivery status notifications: .eml files or mbox')
    .option('--json', 'print JSON')
    .action(async (id: string, files: string[], options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const result = await importBounces(ctx, id, files);
        if (options.json) return printJson(bounceImportView(result));
        const messages = result.files.reduce((sum, file) => sum + file.messages, 0);
        printLine(
          formatFields([
            ['messages read', `${messages} in ${result.files.length} file(s), ${messages - result.notReports} bounce reports`],
            ['marked bounced', result.bounced],
            ['bounced already', result.alreadyBounced],
            ['delayed (left as they are)', result.delayed],
            ['not matched', result.unmatched.length],
          ]),
        );
        if (result.unmatched.length > 0) {
          printLine();
          printLine(table(['FILE', 'MESSAGE', 'RECIPIENT', 'REASON'], result.unmatched.map((u) => [u.file, u.message, u.recipient, u.reason])));
        }
      });
    });
}

function table(header: string[], rows: (string | number | null)[][]): string {
  return `${formatTable(header.map((title) => title.toUpperCase()), rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell)))))}\n`;
}

/** The SMTP password from --smtp-password-file (the configuration's otherwise); a file others can read is warned of. */
function smtpPassword(file: string | undefined): SmtpPassword | undefined {
  if (file === undefined) return undefined;
  const { password, exposedMode } = readPasswordFile(file, `--smtp-password-file ${file}`, true);
  if (exposedMode !== null) say(`tocsin: warning: ${file} holds the SMTP password and other users may read it (mode ${exposedMode.toString(8)}); chmod 600 ${file}`);
  return password;
}

/** Messages per second: a decimal number, 0 for no limit. */
function rate(flag: string): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(number)) throw invalidInput('BAD_RATE', `${flag} '${value}' is not a number of messages per second (0 for no limit)`);
    return number;
  };
}
