/**
 * The reporting mailbox where the shop's mail already lives: the server polls it over IMAP
 * (imapflow) every phishing.imap.interval_seconds, keeps each unseen message as a report analysed
 * by a `phishing_analysis` job (a bug bounty report when it was sent to bounty.report_address), and then marks it seen (or moves it to phishing.imap.move_to).
 * The mailbox's UIDVALIDITY and the highest UID kept are written in the transaction that keeps
 * the report, so a poll after a crash keeps no message twice and misses none; several servers
 * polling one mailbox each keep a message only if the cursor moved for them. Nothing of a
 * message or an address is logged.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { invalidInput, reasonOf } from '../lib/errors.ts';
import { readPasswordFile } from '../mail/index.ts';
import { deliveredTo } from '../bounty/index.ts';
import { keepMailboxMessage } from './report-intake.ts';

type ImapSettings = NonNullable<Config['phishing']['imap']>;

/** The mailbox as its cursor is filed: imap://user@host:port/mailbox. */
function mailboxKey(settings: ImapSettings): string {
  return `imap://${encodeURIComponent(settings.user)}@${settings.host}:${portOf(settings)}/${settings.mailbox}`;
}

function portOf(settings: ImapSettings): number {
  return settings.port ?? (settings.security === 'tls' ? 993 : 143);
}

/** phishing.imap's password: from the environment, else from its file; a mailbox without one is the user's to fix before the server starts. */
function imapPassword(settings: ImapSettings): string {
  if (settings.password) return settings.password;
  if (settings.password_file) return readPasswordFile(settings.password_file, `phishing.imap.password_file ${settings.password_file}`, false, 'IMAP').password.value;
  throw invalidInput('IMAP_PASSWORD_MISSING', 'phishing.imap needs the mailbox password: set TOCSIN_PHISHING_IMAP_PASSWORD, or phishing.imap.password_file (TOCSIN_PHISHING_IMAP_PASSWORD_FILE) naming a file that holds it');
}

function readCa(settings: ImapSettings): Buffer | undefined {
  if (settings.ca_file === undefined) return undefined;
  try {
    return readFileSync(settings.ca_file);
  } catch (error) {
    throw invalidInput('IMAP_CA_UNREADABLE', `cannot read phishing.imap.ca_file ${settings.ca_file} (${reasonOf(error)})`);
  }
}

/** Raised inside a report's transaction when another poller moved the cursor past the message first: nothing is written. */
class KeptElsewhere extends Error {}

/**
 * Moves the mailbox's cursor to `uid`, in the report's transaction: false when it already is at
 * or past it for this UIDVALIDITY (another poller kept the message). Another UIDVALIDITY means
 * the UIDs were renumbered: the cursor starts again from this message.
 */
async function advanceCursor(trx: Context, key: string, uidValidity: number, uid: number): Promise<boolean> {
  const updatedAt = trx.now().toISOString();
  // The transaction's first statement is a write (the Writers contract on SQLite).
  await trx.db.insertInto('phishing_mailbox_cursors').values({ mailbox: key, uid_validity: uidValidity, last_uid: 0, updated_at: updatedAt }).onConflict((conflict) => conflict.column('mailbox').doNothing()).execute();
  const moved = await trx.db
    .updateTable('phishing_mailbox_cursors')
    .set({ uid_validity: uidValidity, last_uid: uid, updated_at: updatedAt })
    .where('mailbox', '=', key)
    .where((eb) => eb.or([eb('uid_validity', '!=', uidValidity), eb('last_uid', '<', uid)]))
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** Where the last poll of this mailbox stopped, for this UIDVALIDITY: 0 when never, or when the UIDs were renumbered. */
async function cursorOf(ctx: Context, key: string, uidValidity: number): Promise<number> {
  const row = await ctx.db.selectFrom('phishing_mailbox_cursors').select(['uid_validity', 'last_uid']).where('mailbox', '=', key).executeTakeFirst();
  return row && Number(row.uid_validity) === uidValidity ? Number(row.last_uid) : 0;
}

/**
 * One poll of phishing.imap's mailbox: each unseen message above the cursor is kept as a report
 * (and queued for analysis), then marked seen or moved; unseen ones at or below it were kept
 * before a crash and are only marked or moved. Returns how many were kept.
 */
export async function pollMailbox(ctx: Context, signal?: AbortSignal): Promise<{ kept: number }> {
  const settings = ctx.config.phishing.imap;
  if (!settings) throw invalidInput('IMAP_NOT_CONFIGURED', 'no mailbox to poll: configure phishing.imap (host, user, and the password in TOCSIN_PHISHING_IMAP_PASSWORD)');
  // Loaded by a server that polls a mailbox, not by every one (imapflow holds ~7 MB of heap).
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: settings.host,
    port: portOf(settings),
    secure: settings.security === 'tls',
    // STARTTLS before the login, or no login at all: the password never crosses in clear.
    doSTARTTLS: settings.security === 'starttls' ? true : undefined,
    tls: { ca: readCa(settings), minVersion: 'TLSv1.2' },
    auth: { user: settings.user, pass: imapPassword(settings) },
    logger: false,
    disableAutoIdle: true,
  });
  // A connection lost later surfaces in the command that needed it; the event must not crash the server.
  client.on('error', () => {});
  const key = mailboxKey(settings);
  let kept = 0;
  let unreadable = 0;
  await client.connect();
  try {
    const lock = await client.getMailboxLock(settings.mailbox);
    try {
      const mailbox = client.mailbox;
      if (mailbox === false) throw invalidInput('IMAP_MAILBOX_UNAVAILABLE', `cannot open the mailbox ${settings.mailbox} (phishing.imap.mailbox)`);
      const uidValidity = Number(mailbox.uidValidity);
      const cursor = await cursorOf(ctx, key, uidValidity);
      const unseen = ((await client.search({ seen: false }, { uid: true })) || []).sort((a, b) => a - b);
      for (const uid of unseen) {
        signal?.throwIfAborted();
        if (uid > cursor) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) {
            // Gone or unreadable: left unseen, for the next poll.
            unreadable++;
            continue;
          }
          const source = message.source;
          try {
            await keepMailboxMessage(ctx, source, {
              received_as: 'imap',
              // Read from the header only when some address is not the phishing desk's.
              recipients: ctx.config.bounty?.report_address === undefined ? [] : await deliveredTo(source),
              keepAlso: async (trx) => {
                if (!(await advanceCursor(trx, key, uidValidity, uid))) throw new KeptElsewhere();
              },
            });
            kept++;
          } catch (error) {
            if (!(error instanceof KeptElsewhere)) throw error;
          }
        }
        if (settings.move_to) await client.messageMove(String(uid), settings.move_to, { uid: true });
        else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  if (kept > 0) ctx.logger.info({ mailbox: settings.mailbox, kept }, 'reported messages kept from the IMAP mailbox');
  if (unreadable > 0) ctx.logger.warn({ mailbox: settings.mailbox, unreadable }, 'messages of the IMAP mailbox could not be fetched; left unseen for the next poll');
  return { kept };
}

/**
 * Polls phishing.imap's mailbox now and then every interval_seconds until stopped; null when no
 * mailbox is configured. The password is checked before it starts; a failed poll (the server
 * down, a wrong password) is logged and tried again at the next interval.
 */
export function startMailboxPolling(ctx: Context): { stop(): Promise<void> } | null {
  const settings = ctx.config.phishing.imap;
  if (!settings) return null;
  imapPassword(settings);
  readCa(settings);
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await pollMailbox(ctx, stopping.signal);
      } catch (error) {
        if (!stopping.signal.aborted) ctx.logger.warn({ mailbox: settings.mailbox, error: reasonOf(error).slice(0, 200) }, 'the IMAP mailbox could not be polled; trying again at the next interval');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.interval_seconds * 1000);
        stopping.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
