import type { Config } from '../config.ts';
import type { Incident } from '../db/index.ts';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { invalidInput } from '../lib/errors.ts';
import { normalizeEmail } from '../lib/email-address.ts';
import { type DkimKey, loadDkimKey, type Mailbox, parseTransport, readPasswordFile, singleMailbox, type SmtpPassword, type TransportSpec } from '../mail/index.ts';
import type { MessageSender } from './notice-message.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

export interface SendOptions {
  /** `notices@shop.example.com` or `Example Shop <notices@shop.example.com>`; a bare address is shown with the controller's name. The configuration's sender.from by default. */
  from?: string;
  /** `smtp://[user:password@]host[:port]`, `smtps://…` or `file:DIR`; the configuration's smtp.url, else `file:<data dir>/outbox`. */
  transport?: string;
  /** The SMTP password kept out of `transport`, from a file given for this run; else the configuration's. */
  smtpPassword?: SmtpPassword;
  /** Messages per second in all; 0 for no limit. By default 50 over SMTP, no limit into files. */
  rate?: number;
  /** Messages per second to one recipient domain; 0 for no limit. By default 10 over SMTP, no limit into files. */
  perDomain?: number;
  dkim?: { domain: string; selector: string; keyFile: string };
  /** SMTP connections; 4 by default. */
  workers?: number;
  retry?: Partial<RetryPolicy>;
}

/** The options checked, with their defaults, as the campaign uses them. */
export interface SendSettings extends MessageSender {
  transport: TransportSpec;
  /** Messages per second; Infinity for no limit. */
  rate: number;
  perDomain: number;
  dkim: DkimKey | null;
  workers: number;
  retry: RetryPolicy;
}

const SMTP_DEFAULTS = { rate: 50, perDomain: 10 };
const DEFAULT_WORKERS = 4;
const MAX_WORKERS = 64;

/** What a send run uses: what it was given, else what the configuration says (flags win over tocsin.yml). */
export function resolveSendSettings(config: Config, incident: Incident, options: SendOptions): SendSettings {
  const from = options.from ?? config.sender.from;
  if (!from) throw invalidInput('NO_SENDER', 'say whom the notices are from: --from, or sender.from in the configuration (TOCSIN_FROM)');
  const transport = parseTransport(options.transport ?? config.smtp.url, config.data_dir, options.smtpPassword ?? configuredSmtpPassword(config));
  const smtp = transport.kind === 'smtp';
  const workers = options.workers ?? DEFAULT_WORKERS;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) throw invalidInput('BAD_WORKERS', `--workers ${workers}: give 1 to ${MAX_WORKERS} SMTP connections`);
  return {
    ...messageSender(from, incident),
    transport,
    rate: perSecond('--rate', options.rate ?? (smtp ? SMTP_DEFAULTS.rate : 0)),
    perDomain: perSecond('--per-domain', options.perDomain ?? (smtp ? SMTP_DEFAULTS.perDomain : 0)),
    dkim: dkimKey(options.dkim ?? configuredDkim(config)),
    workers,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  };
}

/**
 * What a single message the portal sends (an answer) goes out with: the configuration's sender,
 * named as the shop, its transport and its DKIM key, as a campaign uses them without flags.
 */
export function configuredSending(config: Config): ConfiguredSending {
  const kept = sendings.get(config);
  if (kept) return kept;
  const sending = readConfiguredSending(config);
  sendings.set(config, sending);
  return sending;
}

type ConfiguredSending = { from: Mailbox; fromDomain: string; transport: TransportSpec; dkim: DkimKey | null };

/** Read once per configuration: the files it names (the DKIM key, the SMTP password) do not change under a running server. */
const sendings = new WeakMap<Config, ConfiguredSending>();

function readConfiguredSending(config: Config): ConfiguredSending {
  if (!config.sender.from) throw invalidInput('NO_SENDER', 'say whom the portal\'s answers are from: sender.from in the configuration (TOCSIN_FROM)');
  const from = parseFrom(config.sender.from, config.shop.name ?? '');
  return {
    from,
    fromDomain: from.address.slice(from.address.lastIndexOf('@') + 1),
    transport: parseTransport(config.smtp.url, config.data_dir, configuredSmtpPassword(config)),
    dkim: dkimKey(configuredDkim(config)),
  };
}

/** The configuration's SMTP password: from the environment, else from its file; held for any run, so not an error with a file transport. */
function configuredSmtpPassword(config: Config): SmtpPassword | undefined {
  if (config.smtp.password) return { value: config.smtp.password, source: 'TOCSIN_SMTP_PASSWORD', explicit: false };
  if (config.smtp.password_file) return readPasswordFile(config.smtp.password_file, `smtp.password_file ${config.smtp.password_file}`, false).password;
  return undefined;
}

/** Who a notice is from, and where answers go: the incident's contact point. */
export function messageSender(from: string, incident: Incident): MessageSender {
  const mailbox = parseFrom(from, incident.controller ?? '');
  const replyTo = incident.contact_email === null ? null : normalizeEmail(incident.contact_email, { caseSensitiveLocalPart: true });
  if (incident.contact_email !== null && replyTo === null) {
    throw invalidInput('BAD_CONTACT_EMAIL', `the incident's contact email is not an address a notice can name for answers; set another on the incident`, {
      next: { action: 'update_incident', incident_id: incident.id, fields: ['contact_email'] },
    });
  }
  return { from: mailbox, fromDomain: mailbox.address.slice(mailbox.address.lastIndexOf('@') + 1), replyTo };
}

function parseFrom(value: string, controller: string): Mailbox {
  const mailbox = singleMailbox(value);
  const address = mailbox ? normalizeEmail(mailbox.address, { caseSensitiveLocalPart: true }) : null;
  if (!mailbox || !address || CONTROL_CHARACTER.test(value)) {
    throw invalidInput('BAD_FROM', `--from '${value}' is not one address; write e.g. notices@shop.example.com or "Example Shop <notices@shop.example.com>"`);
  }
  return { name: mailbox.name || controller, address };
}

function perSecond(flag: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw invalidInput('BAD_RATE', `${flag} ${value}: give messages per second, or 0 for no limit`);
  return value === 0 ? Infinity : value;
}

function configuredDkim(config: Config): SendOptions['dkim'] {
  return config.sender.dkim && { domain: config.sender.dkim.domain, selector: config.sender.dkim.selector, keyFile: config.sender.dkim.key_file };
}

function dkimKey(dkim: SendOptions['dkim']): DkimKey | null {
  if (!dkim) return null;
  if (!dkim.domain || !dkim.selector || !dkim.keyFile) throw invalidInput('DKIM_INCOMPLETE', 'DKIM signing needs --dkim-domain, --dkim-selector and --dkim-key together');
  return loadDkimKey(dkim.domain, dkim.selector, dkim.keyFile);
}
