/**
 * The analysis of one reported message: a core over its bytes, with DNS, the clock, the
 * look-alike index and the lookups of notices and bait hashes given by the caller (desk.ts does
 * the I/O). It never throws on the message: whatever cannot be read becomes verdict `unknown`
 * with a reason naming what stopped it. HTML is only scanned for links, never rendered.
 */
import { createHash } from 'node:crypto';
import PostalMime, { type Address, type Email } from 'postal-mime';
import { parse as parseDomain } from 'tldts';
import { VERDICTS, type Verdict } from '../domain/index.ts';
import { CONTROL_CHARACTERS } from '../lib/control-characters.ts';
import { reasonOf } from '../lib/errors.ts';
import { type BaitField, messageTokens } from './bait.ts';
import { htmlLinks, linkHost, refang, textLinks, unwrapLink } from './links.ts';
import type { LookalikeIndex, LookalikeKind } from './lookalike.ts';
import { textBands } from '../lib/minhash.ts';

export { VERDICTS, type Verdict };

/** A DNS lookup as `dns.promises.resolve` makes it: mailauth asks for TXT, MX, A, AAAA and PTR records. */
export type Resolver = (name: string, rrtype: string) => Promise<unknown>;

export interface DeskDependencies {
  resolver: Resolver;
  now: () => Date;
  shopDomains: readonly string[];
  lookalikes: LookalikeIndex;
  /** authserv-ids whose Authentication-Results the desk believes (the reporters' mail providers). */
  trustedAuthservIds: readonly string[];
  /** Whether a verification code was sent to this address in a notice. */
  isNoticeCode(code: string, address: string): Promise<boolean>;
  /** The incidents whose people's values hash to some of `tokens` (each token hashed by the caller), with the fields matched. */
  findLeaked(tokens: ReadonlySet<string>): Promise<{ incident: string; fields: BaitField[] }[]>;
  /** Countries to read national phone numbers as: where the incidents' people live. */
  phoneCountries: readonly string[];
}

/** What a reason is about; `evidence` names what in the message shows it (a domain, a header, a field). */
export interface Reason {
  code: string;
  text: string;
  evidence: string[];
  points: number;
}

export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

export interface MessageAuth {
  spf: string;
  dkim: string;
  dmarc: string;
  arc: string;
  /** The domains whose DKIM signatures verified. */
  dkim_domains: string[];
  /** Where the results come from: `computed` by the desk, or the authserv-id of a trusted Authentication-Results. */
  source: string;
  computed_at: string;
}

export interface LookalikeFinding {
  domain: string;
  imitates: string;
  kinds: LookalikeKind[];
  /** Where in the message the domain was seen: from, reply-to, return-path, received, link. */
  seen_in: string[];
}

export interface Analysis {
  verdict: Verdict;
  score: number;
  reasons: Reason[];
  auth: MessageAuth | null;
  lookalikes: LookalikeFinding[];
  leaked: { incident: string; fields: BaitField[] }[];
  /** How the message reached the desk: forwarded as an attachment (the forwarder's address), inline, or as itself. */
  forward: { kind: 'attachment' | 'inline' | 'none'; forwarder: string | null };
  subject: string;
  /** The first lines of the text as plain, single-spaced text without control characters: never HTML. */
  preview: string;
  /** Registrable domains of the links, for campaigns and takedowns. */
  link_domains: string[];
  /** Registrable domains of From, Reply-To and Return-Path. */
  sender_domains: string[];
  /** The links as they lead (refanged, rewrites unwrapped), for takedowns: http(s) and ftp only. */
  links: string[];
  /** SHA-256 of each attachment (not of a forwarded original, which is the message analysed). */
  attachments: string[];
  /** The headers an abuse desk asks for, as single lines, the recipients' addresses replaced by `[recipient]`. */
  headers: { name: string; value: string }[];
  /** LSH band keys of the subject and text (src/lib/minhash.ts): near-duplicates share some. */
  text_bands: string[];
  analyzed_at: string;
}

export interface Limits {
  /** Larger messages are not parsed (a 25 MB mail bomb); portal.report_limit bounds portal reports before this. */
  maxBytes: number;
  maxParts: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = { maxBytes: 16 * 1024 ** 2, maxParts: 2_000, maxDepth: 40 };

const PREVIEW_CHARS = 400;
const INLINE_FORWARD = /^[ \t>]*(?:-{2,}\s*(?:Forwarded message|Original Message|Weitergeleitete Nachricht|Ursprüngliche Nachricht|Message transféré|Message d'origine|Mensaje reenviado|Messaggio inoltrato)\s*-{2,}|Begin forwarded message:|Anfang der weitergeleiteten Nachricht:|Début du message réexpédié\s*:)/im;
const VERIFICATION_CODE = /\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b/g;
const CREDENTIAL_BAIT = /\b(?:verify your (?:account|identity|payment)|confirm your (?:account|identity|payment|details)|update your (?:payment|billing|card)|suspended|password|credit card|card details|re-?verify|login to|sign in to|konto.*(?:gesperrt|bestätigen|verifizieren)|zahlungs(?:daten|informationen)|vérifi(?:er|ez) votre|carte bancaire|mot de passe)\b/i;
const BULK_HEADERS = ['list-unsubscribe', 'list-id', 'precedence'];
/** What a registrar's or host's abuse desk reads to find the sender, the relays and the message. */
const EVIDENCE_HEADERS = new Set(['from', 'sender', 'reply-to', 'return-path', 'subject', 'date', 'message-id', 'received', 'x-mailer', 'x-originating-ip', 'dkim-signature']);
const MAX_EVIDENCE_HEADERS = 40;
const MAX_HEADER_CHARS = 1_000;
const MAX_LINKS = 100;
const MAX_LINK_CHARS = 2_048;

/** Scores at which a verdict is reached; under SUSPICIOUS a message with reasons is spam. */
const PHISHING_SCORE = 60;
const SUSPICIOUS_SCORE = 25;

function reason(code: string, text: string, evidence: string[], points: number): Reason {
  return { code, text, evidence: [...new Set(evidence)].slice(0, 20), points };
}

function unknown(reasons: Reason[], now: Date, forward: Analysis['forward'] = { kind: 'none', forwarder: null }): Analysis {
  return { verdict: 'unknown', score: 0, reasons, auth: null, lookalikes: [], leaked: [], forward, subject: '', preview: '', link_domains: [], sender_domains: [], links: [], attachments: [], headers: [], text_bands: [], analyzed_at: now.toISOString() };
}

/** Counts MIME part headers without parsing: a bound checked before postal-mime builds 10,000 parts. */
function countParts(latin1: string, limit: number): number {
  let count = 0;
  const pattern = /\ncontent-type\s*:/gi;
  while (pattern.exec(latin1) !== null) if (++count > limit) break;
  return count;
}

async function parseMessage(bytes: Uint8Array, limits: Limits): Promise<Email> {
  return PostalMime.parse(bytes, { forceRfc822Attachments: true, attachmentEncoding: 'arraybuffer', maxNestingDepth: limits.maxDepth });
}

function mailboxes(addresses: Address | Address[] | undefined): { name: string; address: string }[] {
  const list = addresses === undefined ? [] : Array.isArray(addresses) ? addresses : [addresses];
  return list.flatMap((entry) => (entry.group ? entry.group : [entry]));
}

function domainOfAddress(address: string | undefined): string | null {
  const at = address?.lastIndexOf('@') ?? -1;
  if (!address || at < 0) return null;
  return address.slice(at + 1).replace(/[>\s]/g, '').toLowerCase() || null;
}

function plainText(email: Email): string {
  if (email.text) return email.text;
  // Tags and entities out, for previews and token matching only: nothing is rendered.
  return (email.html ?? '').replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/&nbsp;|&#160;/gi, ' ').replace(/&[a-z]+;|&#\d+;/gi, ' ');
}

/** A text as one plain line: no control characters, single spaces. */
function oneLine(text: string): string {
  return text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
}

function previewOf(text: string): string {
  return oneLine(text).slice(0, PREVIEW_CHARS);
}

function registrable(domain: string): string {
  return parseDomain(domain, { allowPrivateDomains: true }).domain ?? domain;
}

function isShopDomain(domain: string, shopDomains: readonly string[]): boolean {
  return shopDomains.some((shop) => domain === shop || domain.endsWith(`.${shop}`));
}

/** The header an Authentication-Results gives for one method: `spf=pass` → pass. */
function resultOf(header: string, method: string): string | null {
  return new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, 'i').exec(header)?.[1]?.toLowerCase() ?? null;
}

/** The first Authentication-Results of the message from a trusted authserv-id: the reporter's provider checked the original on arrival. */
function trustedResults(email: Email, trusted: readonly string[]): { authserv: string; header: string } | null {
  if (trusted.length === 0) return null;
  for (const header of email.headers) {
    if (header.key !== 'authentication-results') continue;
    const authserv = /^\s*([^\s;]+)/.exec(header.value)?.[1]?.toLowerCase();
    if (authserv && trusted.includes(authserv)) return { authserv, header: header.value };
  }
  return null;
}

interface MailauthStatus {
  status?: { result?: string };
  signingDomain?: string;
}

async function authenticateMessage(bytes: Uint8Array, email: Email, deps: DeskDependencies): Promise<MessageAuth> {
  const computedAt = deps.now().toISOString();
  const trusted = trustedResults(email, deps.trustedAuthservIds);
  // mailauth and what it imports (undici, joi, ASN.1 for BIMI: some 350 files) are loaded on first use, not by every command that loads this folder.
  const { authenticate } = await import('mailauth');
  const result = await authenticate(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    resolver: deps.resolver as never,
    trustReceived: true,
    mta: 'tocsin.phishing-desk',
    disableBimi: true,
  });
  const dkimResults = (result.dkim?.results ?? []) as MailauthStatus[];
  const dkimDomains = dkimResults.filter((entry) => entry.status?.result === 'pass').map((entry) => String(entry.signingDomain).toLowerCase());
  const dkim = dkimDomains.length > 0 ? 'pass' : (dkimResults.map((entry) => entry.status?.result).find((value) => value && value !== 'none') ?? 'none');
  const computed = {
    spf: (result.spf as MailauthStatus | undefined)?.status?.result ?? 'none',
    dkim,
    dmarc: (result.dmarc as MailauthStatus | undefined)?.status?.result ?? 'none',
    arc: (result.arc as MailauthStatus | undefined)?.status?.result ?? 'none',
  };
  if (!trusted) return { ...computed, dkim_domains: dkimDomains, source: 'computed', computed_at: computedAt };
  // The provider saw the connecting address, which the desk only reads from a Received line.
  return {
    spf: resultOf(trusted.header, 'spf') ?? computed.spf,
    dkim: resultOf(trusted.header, 'dkim') ?? computed.dkim,
    dmarc: resultOf(trusted.header, 'dmarc') ?? computed.dmarc,
    arc: resultOf(trusted.header, 'arc') ?? computed.arc,
    dkim_domains: dkimDomains,
    source: trusted.authserv,
    computed_at: computedAt,
  };
}

/** Hosts named in `Received: from HOST` and `by HOST`: the relays a phish went through. */
function receivedHosts(email: Email): string[] {
  const hosts: string[] = [];
  for (const header of email.headers) {
    if (header.key !== 'received') continue;
    for (const match of header.value.matchAll(/\b(?:from|by|helo=)\s*\(?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})/gi)) hosts.push(match[1].toLowerCase());
  }
  return hosts;
}

/** The original of a message forwarded as an attachment, or null. */
function attachedOriginal(email: Email): Uint8Array | null {
  const attachment = email.attachments.find((part) => part.mimeType === 'message/rfc822' && !part.rfc822DepthExceeded);
  if (!attachment || typeof attachment.content === 'string') return null;
  return attachment.content instanceof Uint8Array ? attachment.content : new Uint8Array(attachment.content);
}

/** The header block of an inline forward: `From: … <x@y>` lines after the marker. */
function inlineForwardedHeaders(text: string): { from: string | null; replyTo: string | null } {
  const marker = INLINE_FORWARD.exec(text);
  const after = marker ? text.slice(marker.index, marker.index + 2_000) : '';
  const address = (label: string) => new RegExp(`^[ \\t>]*(?:${label})\\s*:[^\\n]*?([\\w.+-]+@[\\w.-]+)`, 'im').exec(after)?.[1] ?? null;
  return { from: address('From|Von|De|Da'), replyTo: address('Reply-To|Antwort an|Répondre à') };
}

type Evidence = Pick<Analysis, 'sender_domains' | 'links' | 'attachments' | 'headers' | 'text_bands'>;

function attachmentHashes(email: Email): string[] {
  const hashes = new Set<string>();
  for (const part of email.attachments) {
    if (part.mimeType === 'message/rfc822' || typeof part.content === 'string') continue;
    hashes.add(createHash('sha256').update(new Uint8Array(part.content)).digest('hex'));
  }
  return [...hashes].sort();
}

/**
 * Replaces the recipients' addresses (as written, or percent-encoded in a link's query) and
 * Received's `for <address>` with `[recipient]`: evidence leaves the desk for an abuse desk, the
 * people the phish was sent to do not.
 */
function recipientRedaction(recipients: string[]): (value: string) => string {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const written = [...new Set(recipients.filter((address) => address.includes('@')).flatMap((address) => [address, encodeURIComponent(address)]))];
  // One pattern for them all: a hostile message may list thousands of recipients.
  const hidden = written.length === 0 ? null : new RegExp(written.map(escape).join('|'), 'gi');
  return (value) => {
    const out = value.replace(/\bfor\s+<?[^\s<>;@]+@[^\s<>;]+>?/gi, 'for [recipient]');
    return hidden ? out.replace(hidden, '[recipient]') : out;
  };
}

/** The evidence headers as single lines, redacted. */
function evidenceHeaders(email: Email, redact: (value: string) => string): Analysis['headers'] {
  return email.headers
    .filter((header) => EVIDENCE_HEADERS.has(header.key))
    .slice(0, MAX_EVIDENCE_HEADERS)
    .map((header) => ({ name: oneLine(header.originalKey).slice(0, 80), value: redact(oneLine(header.value)).slice(0, MAX_HEADER_CHARS) }));
}

/**
 * Analyses one message. A message forwarded as an attachment is analysed as its original, with
 * the forwarder recorded; an inline forward best-effort (its original headers are gone, so its
 * authentication is the forwarder's and counts for nothing) and flagged.
 */
export async function analyzeMessage(bytes: Uint8Array, deps: DeskDependencies, limits: Limits = DEFAULT_LIMITS): Promise<Analysis> {
  const now = deps.now();
  try {
    return await analyzeWithin(bytes, deps, limits, now);
  } catch (error) {
    // A fault of the desk on a hostile message must not lose the report: it is kept as unknown.
    return unknown([reason('analysis_failed', `the message could not be analysed (${reasonOf(error).slice(0, 200)})`, [], 0)], now);
  }
}

async function analyzeWithin(bytes: Uint8Array, deps: DeskDependencies, limits: Limits, now: Date): Promise<Analysis> {
  if (bytes.byteLength > limits.maxBytes) {
    return unknown([reason('too_large', `the message has ${bytes.byteLength} bytes, more than the desk analyses (${limits.maxBytes})`, [`size ${bytes.byteLength}`], 0)], now);
  }
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const headerEnd = latin1.search(/\r?\n\r?\n/);
  const headerBlock = headerEnd < 0 ? latin1 : latin1.slice(0, headerEnd);
  const badLine = headerBlock.split(/\r?\n/).find((line) => line !== '' && !/^[\t ]/.test(line) && !/^[\x21-\x39\x3b-\x7e]+:/.test(line));
  if (headerBlock.trim() === '' || badLine !== undefined || !/^from:/im.test(headerBlock)) {
    const why = badLine !== undefined ? 'a header line that is no header field' : 'no From header';
    return unknown([reason('malformed_headers', `the message's header is malformed: ${why}`, badLine === undefined ? ['From'] : [`header line ${JSON.stringify(previewOf(badLine).slice(0, 60))}`], 0)], now);
  }
  const parts = countParts(latin1, limits.maxParts);
  if (parts > limits.maxParts) {
    return unknown([reason('too_many_parts', `the message has more than ${limits.maxParts} MIME parts; the desk does not analyse it`, [`over ${limits.maxParts} parts`], 0)], now);
  }
  let outer: Email;
  try {
    outer = await parseMessage(bytes, limits);
  } catch (error) {
    const message = reasonOf(error);
    const deep = /nesting/i.test(message);
    return unknown([reason(deep ? 'nesting_too_deep' : 'unparsable', deep ? `MIME parts nested deeper than ${limits.maxDepth} levels: the content past them is not analysed` : `the message could not be parsed (${message.slice(0, 200)})`, [deep ? `depth over ${limits.maxDepth}` : 'MIME structure'], 0)], now);
  }

  const reasons: Reason[] = [];
  let email = outer;
  let original = bytes;
  let forward: Analysis['forward'] = { kind: 'none', forwarder: null };
  const attached = attachedOriginal(outer);
  if (attached) {
    try {
      email = await parseMessage(attached, limits);
      original = attached;
      forward = { kind: 'attachment', forwarder: mailboxes(outer.from)[0]?.address ?? null };
    } catch (error) {
      reasons.push(reason('attachment_unparsable', `the forwarded message could not be parsed (${reasonOf(error).slice(0, 200)}); the forward itself is analysed`, ['message/rfc822 attachment'], 0));
    }
  }
  if (outer.attachments.some((part) => part.rfc822DepthExceeded)) {
    reasons.push(reason('nesting_too_deep', 'messages attached inside messages past the parser\'s depth: those are not analysed', ['message/rfc822 attachment'], 0));
  }
  const text = plainText(email);
  const inline = forward.kind === 'none' && INLINE_FORWARD.test(text);
  const inlineHeaders = inline ? inlineForwardedHeaders(text) : null;
  if (inline) {
    forward = { kind: 'inline', forwarder: mailboxes(outer.from)[0]?.address ?? null };
    reasons.push(reason('inline_forward', "forwarded inline: the original's headers are gone, so its authentication cannot be checked; forward as an attachment next time", ['forwarded message marker'], 0));
  }

  const auth = inline ? null : await authenticateMessage(original, email, deps);

  // Domains, each with where it was seen.
  const seen = new Map<string, Set<string>>();
  const senderDomains = new Set<string>();
  const see = (domain: string | null, where: string) => {
    if (!domain) return;
    const name = domain.replace(/\.$/, '').toLowerCase();
    if (!seen.has(name)) seen.set(name, new Set());
    seen.get(name)?.add(where);
    if (where === 'from' || where === 'reply-to' || where === 'return-path') senderDomains.add(registrable(name));
  };
  const from = mailboxes(email.from)[0];
  const fromDomain = domainOfAddress(inlineHeaders?.from ?? from?.address);
  see(fromDomain, 'from');
  for (const address of inlineHeaders?.replyTo ? [inlineHeaders.replyTo] : mailboxes(email.replyTo).map((box) => box.address)) see(domainOfAddress(address), 'reply-to');
  if (!inline) {
    see(domainOfAddress(email.returnPath), 'return-path');
    for (const host of receivedHosts(email)) see(host, 'received');
  }
  const links = [...htmlLinks(email.html ?? ''), ...textLinks(text)].map(unwrapLink);
  const linkDomains = new Set<string>();
  const linkTargets = new Set<string>();
  for (const link of links) {
    const target = refang(link);
    const host = linkHost(target);
    if (host === null) continue;
    see(host, 'link');
    linkDomains.add(registrable(host));
    if (linkTargets.size < MAX_LINKS && target.length <= MAX_LINK_CHARS) linkTargets.add(oneLine(target));
  }
  const redact = recipientRedaction([...mailboxes(email.to), ...mailboxes(email.cc)].map((box) => box.address).concat(forward.forwarder ?? []));
  const evidence: Evidence = {
    sender_domains: [...senderDomains].sort(),
    links: [...new Set([...linkTargets].map(redact))].sort(),
    attachments: attachmentHashes(email),
    headers: evidenceHeaders(email, redact),
    text_bands: textBands(`${email.subject ?? ''}\n${text}`),
  };

  const lookalikes: LookalikeFinding[] = [];
  for (const [domain, where] of seen) {
    for (const match of deps.lookalikes.imitates(domain)) lookalikes.push({ domain, imitates: match.imitates, kinds: match.kinds, seen_in: [...where] });
  }
  const senderLookalikes = lookalikes.filter((found) => found.seen_in.some((where) => where === 'from' || where === 'reply-to' || where === 'return-path'));
  if (senderLookalikes.length > 0) reasons.push(reason('lookalike_sender', 'the sender uses a domain that imitates the shop\'s', senderLookalikes.map((found) => `${found.domain} imitates ${found.imitates} (${found.kinds.join(', ')})`), 50));
  const linkLookalikes = lookalikes.filter((found) => found.seen_in.includes('link'));
  if (linkLookalikes.length > 0) reasons.push(reason('lookalike_link', 'links lead to a domain that imitates the shop\'s', linkLookalikes.map((found) => `${found.domain} imitates ${found.imitates} (${found.kinds.join(', ')})`), 45));
  const relayLookalikes = lookalikes.filter((found) => found.seen_in.every((where) => where === 'received'));
  if (relayLookalikes.length > 0) reasons.push(reason('lookalike_relay', 'the message went through a host whose name imitates the shop\'s', relayLookalikes.map((found) => found.domain), 20));

  // The shop's own name on a message its domains did not authenticate: spoofing.
  const dkimShop = auth?.dkim_domains.some((domain) => isShopDomain(domain, deps.shopDomains)) ?? false;
  const claimsShop = fromDomain !== null && isShopDomain(fromDomain, deps.shopDomains);
  if (claimsShop && !inline && !dkimShop && auth?.dmarc !== 'pass') {
    reasons.push(reason('spoofed_shop_sender', "the From is the shop's domain, but no signature of the shop's domain verifies and DMARC does not pass", [`From domain ${fromDomain}`, `dkim=${auth?.dkim}`, `dmarc=${auth?.dmarc}`], 60));
  }
  if (auth && auth.dmarc === 'fail') reasons.push(reason('dmarc_fail', 'DMARC fails for the From domain', [`dmarc=fail (${auth.source})`], 20));
  if (auth && (auth.dkim === 'fail' || auth.dkim === 'neutral' || auth.dkim === 'policy')) reasons.push(reason('dkim_fail', 'a DKIM signature does not verify', [`dkim=${auth.dkim} (${auth.source})`], 10));
  if (auth && (auth.spf === 'fail' || auth.spf === 'softfail')) reasons.push(reason('spf_fail', 'the sending host is not allowed by the envelope domain\'s SPF', [`spf=${auth.spf} (${auth.source})`], 10));

  const leaked = await deps.findLeaked(messageTokens(`${email.subject ?? ''}\n${text}`, deps.phoneCountries));
  for (const found of leaked) reasons.push(reason('uses_leaked_data', `uses data from incident ${found.incident}`, found.fields.map((field) => `${field} of an affected person`), 40));

  const bait = CREDENTIAL_BAIT.exec(`${email.subject ?? ''}\n${text}`);
  if (bait) reasons.push(reason('credential_request', 'asks the reader to verify an account, a password or a payment', [`wording "${previewOf(bait[0])}"`], 15));

  // Genuine: signed by the shop's domain and carrying a code sent to the address it went to.
  if (dkimShop && !inline) {
    const recipients = mailboxes(email.to).map((box) => box.address);
    for (const code of new Set(text.match(VERIFICATION_CODE) ?? [])) {
      for (const recipient of recipients) {
        if (await deps.isNoticeCode(code, recipient)) {
          const proof = [`DKIM d=${auth?.dkim_domains.find((domain) => isShopDomain(domain, deps.shopDomains))} verifies`, 'its verification code matches a notice sent to that address'];
          return finish([reason('genuine_notice', "one of the shop's own notices", proof, 0)], auth, lookalikes, leaked, forward, email, text, linkDomains, evidence, now, 'genuine');
        }
      }
    }
  }

  const bulk = email.headers.some((header) => BULK_HEADERS.includes(header.key));
  if (bulk && reasons.every((entry) => entry.points < SUSPICIOUS_SCORE)) reasons.push(reason('bulk_mail', 'sent as bulk mail (list headers)', email.headers.filter((header) => BULK_HEADERS.includes(header.key)).map((header) => header.originalKey), 5));
  return finish(reasons, auth, lookalikes, leaked, forward, email, text, linkDomains, evidence, now);
}

/** The analysis with its verdict: `genuine` as found, the others from the score. */
function finish(reasons: Reason[], auth: MessageAuth | null, lookalikes: LookalikeFinding[], leaked: Analysis['leaked'], forward: Analysis['forward'], email: Email, text: string, linkDomains: Set<string>, evidence: Evidence, now: Date, found?: 'genuine'): Analysis {
  const score = found ? 0 : Math.min(100, reasons.reduce((sum, entry) => sum + entry.points, 0));
  const scored = reasons.some((entry) => entry.points > 0);
  const verdict: Verdict = found ?? (score >= PHISHING_SCORE ? 'phishing' : score >= SUSPICIOUS_SCORE ? 'suspicious' : scored ? 'spam' : 'unknown');
  const all = verdict === 'unknown' ? [...reasons, reason('no_evidence', 'nothing in the message links it to the shop or marks it as unwanted', [], 0)] : reasons;
  return {
    verdict,
    score,
    reasons: all,
    auth,
    lookalikes,
    leaked,
    forward,
    subject: previewOf(email.subject ?? '').slice(0, 200),
    preview: previewOf(text),
    link_domains: [...linkDomains].sort(),
    ...evidence,
    analyzed_at: now.toISOString(),
  };
}
