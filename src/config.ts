import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { CONTROL_CHARACTER } from './lib/control-characters.ts';
import { invalidInput, reasonOf } from './lib/errors.ts';
import { BOUNTY_WORDS_FILE, localesWith } from './lib/template-dirs.ts';

const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const listenAddress = z.string().regex(LISTEN, 'HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080').refine((value) => Number(LISTEN.exec(value)?.[2] ?? 0) <= 65535, 'a port up to 65535');
/** An address or CIDR, v4 or v6: a reverse proxy whose X-Forwarded-For and -Proto are believed. */
const proxyAddress = z.string().refine((value) => {
  const [address, bits, ...rest] = value.split('/');
  const version = isIP(address);
  return version !== 0 && rest.length === 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128)));
}, 'an address or CIDR, e.g. 10.0.0.0/8, 127.0.0.1 or fd00::/8');
/** A colour as CSS writes it in hex: #0b5cad or #08c. */
const hexColour = z.string().regex(/^#([0-9a-f]{3}|[0-9a-f]{6})$/i, 'a colour in hex, e.g. #0b5cad');
/** Platforms a shop's mail links to (and so the phish copying it): nobody's campaign. */
const SHARED_DOMAINS = ['apple.com', 'facebook.com', 'google.com', 'instagram.com', 'linkedin.com', 'microsoft.com', 'pinterest.com', 'tiktok.com', 'twitter.com', 'whatsapp.com', 'x.com', 'youtube.com'] as const;
const domainName = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'a domain name like shop.example.com');
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };
// A number of bytes (1048576), or one with a unit ('512MiB', '2 GB'), from YAML or the environment alike.
const byteSize = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)?\s*$/i, 'a size like 512MiB, 2GB or a number of bytes')
    .transform((text) => {
      const [, number, unit] = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)!;
      return Math.round(Number(number) * SIZE_UNITS[unit.toLowerCase()]);
    })
    .refine((bytes) => bytes > 0, 'a size above 0'),
);

/** How many failures a throttled key gets free, and how many lock it (for 15 minutes). */
const throttleLimits = z
  .strictObject({ free: z.number().int().min(0), lockout: z.number().int().min(1) })
  .refine((limits) => limits.lockout > limits.free, 'lockout above free: the failures that lock a key come after the free ones');

const LOOKUP_ADDRESS_DEFAULT = { requests: 10, seconds: 3600 };
const LOOKUP_GLOBAL_DEFAULT = { requests: 6000, seconds: 60 };
const REPORT_ADDRESS_DEFAULT = { requests: 30, seconds: 3600 };

/** At most `requests` in each window of `seconds`. */
const windowLimit = z.strictObject({ requests: z.number().int().min(1), seconds: z.number().int().min(1).max(86_400) });

/** The bug bounty's asset tiers and report severities: the reward table is one by the other. */
export const BOUNTY_TIERS = ['critical', 'high', 'standard'] as const;
export const BOUNTY_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** The languages the bounty's pages speak (a policy text in another could not be shown in its own page), listed when a policy is first checked, not at every start. */
let bountyLocalesFound: string[] | undefined;
function bountyLocales(): string[] {
  return (bountyLocalesFound ??= localesWith(BOUNTY_WORDS_FILE));
}

const oneLine = (max: number) => z.string().trim().min(1).max(max).refine((text) => !CONTROL_CHARACTER.test(text), 'one line of text, without control characters');
const paragraph = z.string().trim().min(1).max(4000);
const rewardAmount = z.number().min(0).max(10_000_000);
const rewardRow = z.strictObject(Object.fromEntries(BOUNTY_SEVERITIES.map((severity) => [severity, rewardAmount])) as Record<(typeof BOUNTY_SEVERITIES)[number], typeof rewardAmount>);
const days = z.number().int().min(1).max(3650);
const PROCESS_COUNT = 'a whole number from 1 to 64';
/** RFC 9116 §2.5.3: a Contact is a URI; a web one is https. */
const securityContact = z
  .string()
  .regex(/^(mailto:[^\s@<>"]+@[^\s@<>"]+|tel:\+?[0-9().-]+|https:\/\/[^\s<>"]+)$/, 'a mailto:, tel: or https:// URI, e.g. mailto:security@shop.example.com')
  .refine((text) => !CONTROL_CHARACTER.test(text), 'a URI without control characters');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-12-04').refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), 'a real date like 2026-12-04');

/** The bug bounty programme: what the public listener publishes (its policy pages, security.txt, the hall of fame). */
const bountySchema = z.strictObject({
  /** security.txt's Contact fields, in order of preference; the pages show them as where to report. */
  contacts: z.array(securityContact).min(1),
  /** What researchers may test, each with the tier its rewards are paid at. */
  assets: z.array(z.strictObject({ name: oneLine(200), tier: z.enum(BOUNTY_TIERS) })).min(1),
  /** The policy's words in each language the programme publishes; the first is shown where a page's language has none. */
  policy: z
    .record(
      z.string(),
      z.strictObject({
        intro: paragraph.optional(),
        out_of_scope: z.array(oneLine(500)).default([]),
        rules: z.array(oneLine(1000)).min(1),
        safe_harbour: paragraph,
      }),
    )
    .superRefine((policy, context) => {
      if (Object.keys(policy).length === 0) context.addIssue({ code: 'custom', message: 'the policy in at least one language, e.g. en-GB:' });
      for (const locale of Object.keys(policy)) {
        if (!bountyLocales().includes(locale)) context.addIssue({ code: 'custom', path: [locale], message: `a language the pages speak: ${bountyLocales().join(', ')}` });
      }
    }),
  /** What a valid report is paid, by the affected asset's tier and the report's severity, in `currency` (ISO 4217). */
  rewards: z.strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code like EUR'),
    ...(Object.fromEntries(BOUNTY_TIERS.map((tier) => [tier, rewardRow])) as Record<(typeof BOUNTY_TIERS)[number], typeof rewardRow>),
  }),
  /** What the programme promises researchers, in days from the report. */
  response_targets: z.strictObject({ first_response_days: days, triage_days: days, bounty_days: days, resolution_days: days }),
  /** A report waiting for the researcher's answer (needs_more_info) is closed as not_applicable after this many days without one. */
  needs_more_info_days: days.default(14),
  /**
   * The address researchers may send reports to without an account (security@shop…): a message
   * the reporting mailbox (phishing.smtp, phishing.imap) receives for it becomes a bug bounty
   * report, not a phishing report, and its sender gets a link to claim it.
   */
  report_address: z.email({ message: 'an email address, e.g. security@shop.example.com' }).optional(),
  /** Where the triage team is warned that a report is close to missing a response target (none: the warning is only in the report's audit trail). */
  triage_email: z.email({ message: 'an email address, e.g. security-triage@shop.example.com' }).optional(),
  /** How many hours before a response target is due its warning goes out. */
  sla_warning_hours: z.number().int().min(1).max(720).default(24),
  /** A disclosure one side asked for is published this many days later even if the other side has not agreed. */
  disclosure_days: days.default(90),
  /** Researchers who agreed to be named. */
  hall_of_fame: z.array(z.strictObject({ name: oneLine(200), url: z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' }).optional(), date: isoDate })).default([]),
  /** How long each signature of security.txt holds (RFC 9116: under a year), and how many days before its Expires it is signed anew. */
  security_txt: z
    .strictObject({ valid_days: z.number().int().min(2).max(364).default(180), renew_days: z.number().int().min(1).default(30) })
    .refine((settings) => settings.renew_days < settings.valid_days, 'renew_days under valid_days: a file signed anew must not be due again at once')
    .default({ valid_days: 180, renew_days: 30 }),
});

/** The reporting mailbox's largest message: the 25 MB most providers let through. */
const PHISHING_SMTP_SIZE_LIMIT = 25 * 1024 ** 2;
/** Open connections to the reporting mailbox at once: enough for a rush of forwards, not for one client to hold them all. */
const PHISHING_SMTP_MAX_CLIENTS = 100;

/**
 * Tocsin's configuration, as tocsin.yml writes it: one schema for the file, the environment and
 * the flags. Unknown keys are errors (a typo must not silently mean "the default").
 */
export const CONFIG_SCHEMA = z.strictObject({
  data_dir: z.string().min(1).default('./tocsin-data'),
  /** `postgres://…` selects PostgreSQL (checked where it is opened, which names what is wrong with it). */
  database_url: z.string().min(1).optional(),
  /**
   * PostgreSQL connections each process keeps at most. Unset: 10; but each of several serving
   * processes on a machine that runs PostgreSQL too keeps the cores shared among them, at least 2
   * (servingPool): each backend at work takes a core from them (README: Server, Every core).
   */
  database_pool: z.coerce.number({ error: 'a whole number of connections from 1 to 100' }).int().min(1).max(100).optional(),
  /** 64 hex digits; else `secret_file`, else `secret.key` in the data directory, made on first use. */
  secret: z.string().regex(/^[0-9A-Fa-f]{64}$/, '64 hex digits (32 random bytes), e.g. from `openssl rand -hex 32`').optional(),
  secret_file: z.string().min(1).optional(),
  actor: z.string().min(1).optional(),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** Progress bars on stderr when a person watches; off in CI. */
  progress: z.boolean().default(true),
  shop: z
    .strictObject({
      name: z.string().min(1).optional(),
      /** The shop's domains; the first is the address notices tell customers to type. */
      domains: z.array(domainName).default([]),
      postal_address: z.string().min(1).optional(),
      /** The shop's logo on the portal's pages: a PNG, JPEG or SVG file, checked when the server starts. */
      logo: z.string().min(1).optional(),
      /** The portal's colours: `primary` behind its header and buttons (text on it is black or white, whichever reads), `accent` for links on white. */
      colours: z.strictObject({ primary: hexColour.optional(), accent: hexColour.optional() }).optional(),
    })
    .default({ domains: [] }),
  sender: z
    .strictObject({
      /** The From of notices: notices@shop.example.com or "Example Shop <notices@shop.example.com>". */
      from: z.string().min(1).optional(),
      dkim: z.strictObject({ domain: domainName, selector: z.string().min(1), key_file: z.string().min(1) }).optional(),
    })
    .default({}),
  smtp: z
    .strictObject({
      /** smtp://user@host:587, smtps://…, or file:DIR; the default writes .eml files into <data dir>/outbox. */
      url: z.string().min(1).optional(),
      /** From the environment only (TOCSIN_SMTP_PASSWORD): never in tocsin.yml. */
      password: z.string().min(1).optional(),
      password_file: z.string().min(1).optional(),
    })
    .default({}),
  listen: listenAddress.default('127.0.0.1:8080'),
  public_listen: listenAddress.default('127.0.0.1:8081'),
  /** Serve HTTPS with this certificate chain and its key (PEM files), both or neither. */
  tls: z.strictObject({ cert_file: z.string().min(1).optional(), key_file: z.string().min(1).optional() }).default({}),
  /** The reverse proxies in front of the server whose X-Forwarded-For and -Proto it believes; none by default. */
  trust_proxy: z.array(proxyAddress).default([]),
  public_url: z.url({ protocol: /^https?$/, message: 'an http:// or https:// URL' }).optional(),
  /** Server-side directories an upload by path may name; none by default. */
  import_dirs: z.array(z.string().min(1)).default([]),
  upload_limit: byteSize.default(1024 ** 3),
  /**
   * How many processes serve HTTP (tocsin serve), on the same listeners: one a core makes use of
   * them all. Beyond one, a first process runs the jobs, the reporting mailbox, the timers and, on
   * SQLite, the checkpoints (the WAL copied into the file), and restarts any serving process that dies.
   */
  processes: z.coerce
    .number({ error: PROCESS_COUNT })
    .int(PROCESS_COUNT)
    .min(1, PROCESS_COUNT)
    .max(64, PROCESS_COUNT)
    .default(1),
  /**
   * Notices. `require_approval`: a campaign starts only once a notice set built by one account is
   * approved by another with the privacy role (the four-eyes rule). Turned off only by a one-person
   * shop, where no second person exists: each campaign's audit entry then records it went unapproved.
   */
  notices: z.strictObject({ require_approval: z.boolean().default(true) }).default({ require_approval: true }),
  /** The phishing desk. */
  phishing: z
    .strictObject({
      /** authserv-ids (the reporters' mail providers, e.g. mx.google.com) whose Authentication-Results the desk believes. */
      trusted_authserv_ids: z.array(z.string().min(1).toLowerCase()).default([]),
      /** DNS servers (HOST or HOST:PORT) the desk's SPF, DKIM and DMARC lookups ask; the system's otherwise. */
      dns_servers: z.array(z.string().min(1)).default([]),
      /**
       * Registrable domains phish link to that belong to no attacker (social networks and big
       * platforms in a copied shop footer): never a campaign's key, never in a takedown pack.
       * Free mail providers are known already.
       */
      shared_domains: z.array(domainName.toLowerCase()).default([...SHARED_DOMAINS]),
      /** The reporting mailbox's own SMTP listener (tocsin serve --smtp-listen), for an address like phishing@shop…: off unless `listen` is given. */
      smtp: z
        .strictObject({
          listen: listenAddress.optional(),
          /** Larger messages are refused: announced as SIZE, and checked as the message arrives. */
          size_limit: byteSize.default(PHISHING_SMTP_SIZE_LIMIT),
          /** The addresses it takes mail for (RCPT TO); any address when empty. */
          recipients: z.array(z.string().min(3).toLowerCase()).default([]),
          /** Connections open at once; more are turned away (421) until one closes. */
          max_clients: z.number().int().min(1).max(10_000).default(PHISHING_SMTP_MAX_CLIENTS),
          /** STARTTLS with this certificate chain and its key (PEM files), both or neither. */
          cert_file: z.string().min(1).optional(),
          key_file: z.string().min(1).optional(),
        })
        .default({ size_limit: PHISHING_SMTP_SIZE_LIMIT, recipients: [], max_clients: PHISHING_SMTP_MAX_CLIENTS }),
      /** An existing mailbox the server polls over IMAP: each unseen message becomes a report. */
      imap: z
        .strictObject({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535).optional(),
          /** `tls` from the first byte (port 993 by default), or `starttls` (143): never in clear, since the password goes over it. */
          security: z.enum(['tls', 'starttls']).default('tls'),
          /** A CA certificate (PEM) to trust besides the system's, for a mail server with a certificate of its own. */
          ca_file: z.string().min(1).optional(),
          user: z.string().min(1),
          /** From the environment only (TOCSIN_PHISHING_IMAP_PASSWORD): never in tocsin.yml. */
          password: z.string().min(1).optional(),
          password_file: z.string().min(1).optional(),
          mailbox: z.string().min(1).default('INBOX'),
          /** Where a kept message is moved; left in place and marked seen when not given. */
          move_to: z.string().min(1).optional(),
          interval_seconds: z.number().min(5).max(86_400).default(60),
        })
        .optional(),
    })
    .default({
      trusted_authserv_ids: [],
      dns_servers: [],
      shared_domains: [...SHARED_DOMAINS],
      smtp: { size_limit: PHISHING_SMTP_SIZE_LIMIT, recipients: [], max_clients: PHISHING_SMTP_MAX_CLIENTS },
    }),
  /** The customer portal on the public listener. */
  portal: z
    .strictObject({
      /** The largest suspicious message a customer may send, as a file or pasted. */
      report_limit: byteSize.default(10 * 1024 ** 2),
      /** Wrong verification codes from one client address (an IPv6 /64) before each next try waits longer, and before it is locked out. */
      verify_address: throttleLimits.default({ free: 20, lockout: 100 }),
      /** Wrong verification codes for one email address, from anywhere, before the same. */
      verify_target: throttleLimits.default({ free: 5, lockout: 20 }),
      /** "Was I affected?" requests from one client address (an IPv6 /64): past them, 429 with Retry-After. */
      lookup_address: windowLimit.default(LOOKUP_ADDRESS_DEFAULT),
      /** "Was I affected?" requests from everyone together: past them, 429 with Retry-After. */
      lookup_global: windowLimit.default(LOOKUP_GLOBAL_DEFAULT),
      /** An address gets at most one answer to "Was I affected?", and one reply to its reports, in this many hours; later requests are accepted and not mailed. */
      lookup_answer_hours: z.number().min(1).max(24 * 30).default(24),
      /** Suspicious messages reported from one client address (an IPv6 /64), on this portal or to the reporting mailbox's SMTP listener: past them, 429 (SMTP 450) until the window ends. */
      report_address: windowLimit.default(REPORT_ADDRESS_DEFAULT),
    })
    .default({
      report_limit: 10 * 1024 ** 2,
      verify_address: { free: 20, lockout: 100 },
      verify_target: { free: 5, lockout: 20 },
      lookup_address: LOOKUP_ADDRESS_DEFAULT,
      lookup_global: LOOKUP_GLOBAL_DEFAULT,
      lookup_answer_hours: 24,
      report_address: REPORT_ADDRESS_DEFAULT,
    }),
  /** The bug bounty programme; none is published until it is configured. */
  bounty: bountySchema.optional(),
});

export type Config = z.output<typeof CONFIG_SCHEMA>;
export type BountyConfig = z.output<typeof bountySchema>;
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

/** Secrets the file may not hold: they belong in the environment or a file of their own. */
const ENV_ONLY = new Set(['secret', 'smtp.password', 'phishing.imap.password']);
const SECRET_KEYS = new Set(['secret', 'smtp.password', 'phishing.imap.password']);
/** Paths a file gives are relative to the file, wherever Tocsin is started from. */
const PATH_KEYS = new Set(['data_dir', 'shop.logo', 'secret_file', 'sender.dkim.key_file', 'smtp.password_file', 'import_dirs', 'tls.cert_file', 'tls.key_file', 'phishing.smtp.cert_file', 'phishing.smtp.key_file', 'phishing.imap.ca_file', 'phishing.imap.password_file']);

type Parse = (value: string) => unknown;
const text: Parse = (value) => value;
const list: Parse = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);
const flag: Parse = (value) => !/^(0|false|no|off)$/i.test(value.trim());

/** Every environment variable Tocsin reads, and the key it sets; later rows win over earlier ones for the same key. */
export const ENVIRONMENT: readonly (readonly [variable: string, key: string, parse: Parse])[] = [
  ['TOCSIN_DATA_DIR', 'data_dir', text],
  ['DATABASE_URL', 'database_url', text],
  ['TOCSIN_DATABASE_URL', 'database_url', text],
  ['TOCSIN_DATABASE_POOL', 'database_pool', text],
  ['TOCSIN_SECRET', 'secret', (value) => value.trim()],
  ['TOCSIN_SECRET_FILE', 'secret_file', text],
  ['TOCSIN_ACTOR', 'actor', text],
  ['TOCSIN_LOG_LEVEL', 'log_level', text],
  ['CI', 'progress', (value) => !flag(value)],
  ['TOCSIN_PROGRESS', 'progress', flag],
  ['TOCSIN_NOTICES_REQUIRE_APPROVAL', 'notices.require_approval', flag],
  ['TOCSIN_SHOP_NAME', 'shop.name', text],
  ['TOCSIN_SHOP_DOMAINS', 'shop.domains', list],
  ['TOCSIN_SHOP_POSTAL_ADDRESS', 'shop.postal_address', text],
  ['TOCSIN_SHOP_LOGO', 'shop.logo', text],
  ['TOCSIN_FROM', 'sender.from', text],
  ['TOCSIN_DKIM_DOMAIN', 'sender.dkim.domain', text],
  ['TOCSIN_DKIM_SELECTOR', 'sender.dkim.selector', text],
  ['TOCSIN_DKIM_KEY_FILE', 'sender.dkim.key_file', text],
  ['TOCSIN_SMTP_URL', 'smtp.url', text],
  ['TOCSIN_SMTP_PASSWORD', 'smtp.password', text],
  ['TOCSIN_SMTP_PASSWORD_FILE', 'smtp.password_file', text],
  ['TOCSIN_LISTEN', 'listen', text],
  ['TOCSIN_PUBLIC_LISTEN', 'public_listen', text],
  ['TOCSIN_TLS_CERT', 'tls.cert_file', text],
  ['TOCSIN_TLS_KEY', 'tls.key_file', text],
  ['TOCSIN_TRUST_PROXY', 'trust_proxy', list],
  ['TOCSIN_PUBLIC_URL', 'public_url', text],
  ['TOCSIN_IMPORT_DIRS', 'import_dirs', list],
  ['TOCSIN_UPLOAD_LIMIT', 'upload_limit', text],
  ['TOCSIN_PROCESSES', 'processes', text],
  ['TOCSIN_PORTAL_REPORT_LIMIT', 'portal.report_limit', text],
  ['TOCSIN_PHISHING_TRUSTED_AUTHSERV_IDS', 'phishing.trusted_authserv_ids', list],
  ['TOCSIN_PHISHING_DNS_SERVERS', 'phishing.dns_servers', list],
  ['TOCSIN_PHISHING_SHARED_DOMAINS', 'phishing.shared_domains', list],
  ['TOCSIN_PHISHING_SMTP_LISTEN', 'phishing.smtp.listen', text],
  ['TOCSIN_PHISHING_IMAP_PASSWORD', 'phishing.imap.password', text],
  ['TOCSIN_PHISHING_IMAP_PASSWORD_FILE', 'phishing.imap.password_file', text],
];

/** What the command line says of the configuration (its global flags). */
export interface ConfigFlags {
  config?: string;
  dataDir?: string;
  actor?: string;
  debug?: boolean;
  /** tocsin serve's own flags, over the keys they name. */
  listen?: string;
  publicListen?: string;
  tlsCert?: string;
  tlsKey?: string;
  smtpListen?: string;
  trustProxy?: string[];
  importDir?: string[];
  uploadLimit?: string;
  processes?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Where each key given anywhere came from (`shop.name` → 'file'); keys absent here are defaults. */
  sources: Map<string, ConfigSource>;
  /** The tocsin.yml read, if any. */
  file: string | null;
}

type Layer = { source: ConfigSource; values: Map<string, unknown>; describe(key: string): string };

/**
 * The configuration: defaults < tocsin.yml (`--config FILE`, `TOCSIN_CONFIG`, else the data
 * directory's, when it exists) < environment < flags, validated as one. The only reader of the
 * environment in Tocsin.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const envLayer = environmentLayer(env);
  const flagLayer = flagsLayer(flags);
  const explicitFile = flags.config ?? (env.TOCSIN_CONFIG || undefined);
  const dataDirBeforeFile = (flagLayer.values.get('data_dir') ?? envLayer.values.get('data_dir')) as string | undefined;
  const file = explicitFile ?? join(dataDirBeforeFile ?? CONFIG_SCHEMA.shape.data_dir.parse(undefined), 'tocsin.yml');
  const fileLayer = readConfigFile(file, explicitFile !== undefined);
  if (!explicitFile && fileLayer?.values.has('data_dir')) {
    throw invalidInput('CONFIG_INVALID', `${fileLayer.describe('data_dir')}: the data directory's own tocsin.yml cannot move it; give data_dir in a file named with --config, or use --data-dir`);
  }
  const layers = [fileLayer, envLayer, flagLayer].filter((layer) => layer !== null);
  const merged: Record<string, unknown> = {};
  const sources = new Map<string, ConfigSource>();
  const origin = new Map<string, Layer>();
  for (const layer of layers) {
    for (const [key, value] of layer.values) {
      setPath(merged, key, value);
      sources.set(key, layer.source);
      origin.set(key, layer);
    }
  }
  const result = CONFIG_SCHEMA.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue.path.join('.');
    // A list's item is told by the key that gave the list: `shop.domains, item 2`, `bounty.assets, item 2, tier`.
    const given = origin.has(key) ? key : [...origin.keys()].find((candidate) => key.startsWith(`${candidate}.`));
    const [index, ...inner] = given === undefined || given === key ? [] : key.slice(given.length + 1).split('.');
    const where = given === undefined ? key : `${origin.get(given)!.describe(given)}${index === undefined ? '' : `, item ${Number(index) + 1}${inner.length > 0 ? `, ${inner.join('.')}` : ''}`}`;
    throw invalidInput('CONFIG_INVALID', `${where}: ${issueText(issue)}`);
  }
  const config = result.data;
  config.data_dir = resolve(config.data_dir);
  config.actor ??= defaultActor(env);
  return { config, sources, file: fileLayer ? file : null };
}

/** The defaults alone, with `overrides` over them: for tests, benchmarks and the demo, which read no file and no environment. */
export function configWith(overrides: Partial<z.input<typeof CONFIG_SCHEMA>> = {}): Config {
  const config = CONFIG_SCHEMA.parse(overrides);
  config.data_dir = resolve(config.data_dir);
  return config;
}

/** The effective configuration as `tocsin config` shows it: each key, its value (secrets hidden) and where it came from. */
export function describeConfig(loaded: LoadedConfig): { key: string; value: unknown; source: ConfigSource }[] {
  return schemaKeys(CONFIG_SCHEMA.shape).map((key) => {
    const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], loaded.config);
    return { key, value: shownValue(key, value), source: loaded.sources.get(key) ?? 'default' };
  });
}

/** Every key of the schema, dotted, in its order. */
function schemaKeys(shape: Record<string, z.ZodType>, prefix = ''): string[] {
  return Object.entries(shape).flatMap(([key, field]) => {
    const nested = objectShape(field);
    return nested ? schemaKeys(nested, `${prefix}${key}.`) : [`${prefix}${key}`];
  });
}

function shownValue(key: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (SECRET_KEYS.has(key)) return '(set, hidden)';
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return withoutPassword(value);
  return value;
}

/** A URL as it may be shown: its password replaced. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

function environmentLayer(env: NodeJS.ProcessEnv): Layer {
  const values = new Map<string, unknown>();
  const variableOf = new Map<string, string>();
  for (const [variable, key, parse] of ENVIRONMENT) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    values.set(key, parse(value));
    variableOf.set(key, variable);
  }
  return { source: 'env', values, describe: (key) => variableOf.get(key) ?? key };
}

/** Each flag and the key it sets. */
const FLAG_KEYS: readonly (readonly [flag: Exclude<keyof ConfigFlags, 'config' | 'debug'>, name: string, key: string])[] = [
  ['dataDir', '--data-dir', 'data_dir'],
  ['actor', '--actor', 'actor'],
  ['listen', '--listen', 'listen'],
  ['publicListen', '--public-listen', 'public_listen'],
  ['tlsCert', '--tls-cert', 'tls.cert_file'],
  ['tlsKey', '--tls-key', 'tls.key_file'],
  ['smtpListen', '--smtp-listen', 'phishing.smtp.listen'],
  ['trustProxy', '--trust-proxy', 'trust_proxy'],
  ['importDir', '--import-dir', 'import_dirs'],
  ['uploadLimit', '--upload-limit', 'upload_limit'],
  ['processes', '--processes', 'processes'],
];

function flagsLayer(flags: ConfigFlags): Layer {
  const values = new Map<string, unknown>();
  const flagOf: Record<string, string> = { log_level: '--debug' };
  for (const [flag, name, key] of FLAG_KEYS) {
    const value = flags[flag];
    if (value === undefined) continue;
    values.set(key, value);
    flagOf[key] = name;
  }
  if (flags.debug) values.set('log_level', 'debug');
  return { source: 'flag', values, describe: (key) => flagOf[key] ?? key };
}

/** tocsin.yml as a layer, each key's line kept for messages; null when the data directory has none. */
function readConfigFile(file: string, explicit: boolean): Layer | null {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    if (!explicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw invalidInput('CONFIG_UNREADABLE', `cannot read the configuration ${file} (${reasonOf(error)}); check the path given to --config`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const [error] = doc.errors;
    throw invalidInput('CONFIG_INVALID', `${file}, line ${lineCounter.linePos(error.pos[0]).line}: not valid YAML (${error.code}); tocsin.yml is a map of keys like data_dir: and shop:`);
  }
  const lines = new Map<string, number>();
  collectLines(doc, lineCounter, lines);
  const values = new Map<string, unknown>();
  const content: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof content !== 'object' || Array.isArray(content)) {
    throw invalidInput('CONFIG_INVALID', `${file}: tocsin.yml is a map of keys like data_dir: and shop:, not a ${Array.isArray(content) ? 'list' : typeof content}`);
  }
  const describe = (key: string) => `${file}, line ${lines.get(key) ?? lines.get(parentKey(key)) ?? 1}: ${key}`;
  for (const [key, value] of leaves(content as Record<string, unknown>)) {
    if (ENV_ONLY.has(key)) {
      throw invalidInput('CONFIG_INVALID', `${describe(key)}: a secret stays out of tocsin.yml; give it in the environment (${ENVIRONMENT.find(([, envKey]) => envKey === key)![0]}) or name a file holding it (${key}_file)`);
    }
    values.set(key, PATH_KEYS.has(key) ? relativeTo(dirname(file), value) : value);
  }
  const unknown = unknownKey(content as Record<string, unknown>);
  if (unknown) throw invalidInput('CONFIG_INVALID', `${describe(unknown)}: unknown key; the keys are ${knownKeysNear(unknown)}`);
  return { source: 'file', values, describe };
}

function relativeTo(dir: string, value: unknown): unknown {
  if (typeof value === 'string') return resolve(dir, value);
  return Array.isArray(value) ? value.map((item) => relativeTo(dir, item)) : value;
}

function collectLines(doc: Document, lineCounter: LineCounter, lines: Map<string, number>): void {
  const walk = (node: unknown, prefix: string) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = `${prefix}${String(pair.key.value)}`;
      if (pair.key.range) lines.set(key, lineCounter.linePos(pair.key.range[0]).line);
      walk(pair.value, `${key}.`);
    }
  };
  walk(doc.contents, '');
}

/** A key the schema does not have, with its path (`shop.adress`), or undefined. */
function unknownKey(content: Record<string, unknown>): string | undefined {
  const walk = (value: Record<string, unknown>, shape: Record<string, z.ZodType>, prefix: string): string | undefined => {
    for (const [key, inner] of Object.entries(value)) {
      const field = shape[key];
      if (!field) return `${prefix}${key}`;
      const nested = objectShape(field);
      if (nested && inner && typeof inner === 'object' && !Array.isArray(inner)) {
        const found = walk(inner as Record<string, unknown>, nested, `${prefix}${key}.`);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(content, CONFIG_SCHEMA.shape, '');
}

/** The object schema inside `field`'s optional and default wrappers, if it is one. */
function objectShape(field: z.ZodType): Record<string, z.ZodType> | undefined {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

function knownKeysNear(key: string): string {
  const parent = parentKey(key);
  let shape: Record<string, z.ZodType> = CONFIG_SCHEMA.shape;
  for (const part of parent ? parent.split('.') : []) shape = objectShape(shape[part])!;
  return Object.keys(shape)
    .filter((name) => !ENV_ONLY.has(parent ? `${parent}.${name}` : name))
    .map((name) => (parent ? `${parent}.${name}` : name))
    .join(', ');
}

const parentKey = (key: string) => key.split('.').slice(0, -1).join('.');

/** Dotted keys and values of a nested object; lists and scalars are leaves. */
function leaves(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(value).flatMap(([key, inner]) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? leaves(inner as Record<string, unknown>, `${prefix}${key}.`) : [[`${prefix}${key}`, inner] as [string, unknown]],
  );
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1)!] = value;
}

function issueText(issue: z.core.$ZodIssue): string {
  // zod's own message for a wrong type ("Invalid input: expected number, received NaN"); a schema's own one reads as the others do.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) return issue.message.endsWith('received undefined') ? 'missing' : `expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.join(', ')}`;
  return issue.message.startsWith('Invalid') ? issue.message.toLowerCase() : `expected ${issue.message}`;
}

/** Who the audit log records when nobody says: the OS user. */
function defaultActor(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}
