/**
 * The phishing desk's speed:
 *
 *   npm run bench:phishing [-- domains=20000 [messages=300]]
 *
 * Reverse look-alike checks: `lookalikeIndex(10 shop domains).imitates(domain)` over a mixed list
 * (a third look-alikes of the shops made by the permutation classes, Cyrillic homoglyphs in
 * punycode among them; two thirds random real-looking domains, some with subdomains), against the
 * ≥ 100k checks/s target. Beside it, as the reference of the same run, tldts's parse of the same
 * domains: the one step every check must take. Median of 5 runs after a warm-up, per second of
 * wall time and of this process's CPU time, which other load on the machine disturbs less.
 *
 * Messages analysed: `analyzeMessage` over generated phish (a look-alike sender, DKIM-signed by
 * its own domain with the project's signer, a Received hop, links, some with an affected
 * person's name and phone), DNS answered by an in-process resolver with the SPF, DKIM and DMARC
 * records, bait looked up among keyed hashes in memory; against the ≥ 200 messages/s target and
 * beside postal-mime's parse of the same messages, the reference of the same run.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import PostalMime from 'postal-mime';
import { buildMessage, dkimDnsRecord, dkimSigner } from '../src/mail/index.ts';
import { analyzeMessage, type DeskDependencies } from '../src/phishing/index.ts';
import { baitHash, recordTokens } from '../src/phishing/bait.ts';
import { domainToASCII } from 'node:url';
import { parse } from 'tldts';
import { lookalikeIndex } from '../src/phishing/index.ts';
import { GENERATED_KINDS, permutations } from '../src/phishing/permutations.ts';

const count = Number(process.argv[2]?.replace(/^domains=/, '') ?? 20_000);
const messageCount = Number(process.argv[3]?.replace(/^messages=/, '') ?? 300);
const MESSAGE_TARGET = 200;
const TARGET = 100_000;
const SHOPS = [
  'boutique-exemple.fr', 'example-shop.co.uk', 'gadgetshop.de', 'shop.example.com', 'modehaus-berlin.de',
  'mobile-store.com', 'phonemaker.com', 'la-cave-a-vin.fr', 'outdoor-gear.co.uk', 'papeterie.fr',
];

let seed = 42;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x80000000;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const SYLLABLES = ['ka', 'lo', 'mi', 'net', 'web', 'shop', 'data', 'cloud', 'tech', 'ver', 'sa', 'tor', 'lin', 'max', 'pro', 'go', 'bit', 'on', 'line', 'soft', 'mar', 'ket', 'fin', 'bank', 'news', 'med', 'ia', 'trav', 'el', 'hub'];
const TLDS = ['com', 'net', 'org', 'de', 'fr', 'co.uk', 'io', 'info', 'eu', 'nl', 'com.br', 'xyz', 'shop', 'online'];
const CYRILLIC: Record<string, string> = { a: 'а', c: 'с', e: 'е', o: 'о', p: 'р', x: 'х', y: 'у', i: 'і' };

function realLooking(): string {
  const parts = 1 + Math.floor(random() * 3);
  let name = '';
  for (let i = 0; i < parts; i++) name += pick(SYLLABLES);
  if (random() < 0.2) name += `-${pick(SYLLABLES)}`;
  const sub = random() < 0.3 ? `${pick(['www', 'mail', 'login', 'cdn', 'shop'])}.` : '';
  return `${sub}${name}.${pick(TLDS)}`;
}

function lookalike(): string {
  const shop = parse(pick(SHOPS));
  if (random() < 0.2) {
    const swapped = [...shop.domainWithoutSuffix!].map((char) => (random() < 0.5 ? (CYRILLIC[char] ?? char) : char)).join('');
    if (swapped !== shop.domainWithoutSuffix) return domainToASCII(`${swapped}.${shop.publicSuffix}`);
  }
  const names = permutations(shop.domainWithoutSuffix!, pick(GENERATED_KINDS), ['secure', 'login', 'support']).filter((name) => name !== shop.domainWithoutSuffix);
  return `${pick(names)}.${random() < 0.8 ? shop.publicSuffix : pick(TLDS)}`;
}

const made = Array.from({ length: count }, () => (random() < 1 / 3 ? { domain: lookalike(), lookalike: true } : { domain: realLooking(), lookalike: false }));
const domains = made.map((entry) => entry.domain);
const index = lookalikeIndex(SHOPS);

type Run = { seconds: number; cpuSeconds: number };
function timed(work: () => void): Run {
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  work();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - began) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

function report(name: string, work: (domain: string) => unknown): { wall: number; cpu: number } {
  const all = () => {
    for (const domain of domains) work(domain);
  };
  timed(all); // warm-up: JIT, the confusables table
  const runs = Array.from({ length: 5 }, () => timed(all));
  const median = (rate: (run: Run) => number) => runs.map(rate).sort((a, b) => a - b)[2];
  const wall = median((run) => domains.length / run.seconds);
  const cpu = median((run) => domains.length / run.cpuSeconds);
  console.log(`${name.padEnd(52)} wall: ${(wall / 1e3).toFixed(0).padStart(5)}k/s   cpu: ${(cpu / 1e3).toFixed(0).padStart(5)}k/s`);
  return { wall, cpu };
}

const flagged = (lookalike: boolean) => made.filter((entry) => entry.lookalike === lookalike && index.imitates(entry.domain).length > 0).length;
const lookalikes = made.filter((entry) => entry.lookalike).length;
console.log(`${domains.length} domains: ${flagged(true)} of the ${lookalikes} look-alikes made found, ${flagged(false)} of the ${domains.length - lookalikes} random ones flagged`);
const reference = report('reference: tldts parse only', (domain) => parse(domain));
const checks = report(`reverse look-alike checks (${SHOPS.length} shop domains)`, (domain) => index.imitates(domain));
console.log(`look-alike checks: ${(checks.wall / TARGET).toFixed(2)}× the ${TARGET / 1e3}k checks/s target in wall time, ${(checks.cpu / TARGET).toFixed(2)}× in CPU time; ${(checks.cpu / reference.cpu).toFixed(2)}× tldts parse alone (CPU)`);

// Messages: phish from look-alike domains, each signed by its own domain, whose records the resolver holds.
const zone = new Map<string, string[][]>();
const senders = Array.from({ length: 20 }, () => {
  const domain = lookalike();
  const privateKeyPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = { domain, selector: 'mail', algorithm: 'ed25519-sha256' as const, privateKeyPem };
  const record = dkimDnsRecord(key);
  zone.set(record.name, [[record.value]]);
  zone.set(domain, [['v=spf1 ip4:198.51.100.7 -all']]);
  zone.set(`_dmarc.${domain}`, [['v=DMARC1; p=none']]);
  return { domain, sign: dkimSigner(key) };
});
const resolver: DeskDependencies['resolver'] = async (name, rrtype) => {
  const answer = rrtype === 'TXT' ? zone.get(name.toLowerCase()) : undefined;
  if (answer) return answer;
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};
const hashKey = randomBytes(32);
const people = Array.from({ length: 1000 }, (_, i) => ({ name: `${pick(['Anna', 'Jean', 'Maria', 'Lukas', 'Emma'])} ${pick(['Schmidt', 'Martin', 'Rossi', 'Weber', 'Dubois'])}${i}`, phone: `+49 30 ${String(1000000 + i * 37)}` }));
const baitHashes = new Set(people.flatMap((person) => [...recordTokens('name', person.name, 'DE'), ...recordTokens('phone', person.phone, 'DE')].map((token) => baitHash(hashKey, token))));
const desk: DeskDependencies = {
  resolver,
  now: () => new Date(),
  shopDomains: SHOPS,
  lookalikes: index,
  trustedAuthservIds: [],
  isNoticeCode: async () => false,
  findLeaked: async (tokens) => ([...tokens].some((token) => baitHashes.has(baitHash(hashKey, token))) ? [{ incident: 'bench', fields: ['name'] }] : []),
  phoneCountries: ['DE'],
};
const messages = Array.from({ length: messageCount }, (_, i) => {
  const sender = pick(senders);
  const person = pick(people);
  const link = `https://${pick(senders).domain}/verify?id=${i}`;
  const text = `Dear ${random() < 0.5 ? person.name : 'customer'},\n\nwe could not deliver your order. Call ${person.phone} or verify your account at ${link} within 24 hours.\n\nCustomer service`;
  const built = buildMessage({ from: { name: 'Customer Service', address: `service@${sender.domain}` }, replyTo: null, to: 'reader@example.org', subject: 'Your order is on hold', text, html: `<p>${text.replaceAll('\n', '<br>')}</p><p><a href="${link}">Verify</a></p>`, messageId: `<${i}@${sender.domain}>`, date: new Date(), locale: 'en' });
  const received = `Received: from mail.${sender.domain} (mail.${sender.domain} [198.51.100.7])\r\n by mx.example.org with ESMTPS; Thu, 03 Dec 2026 10:00:00 +0000\r\nReturn-Path: <bounce@${sender.domain}>\r\n`;
  return Buffer.concat([Buffer.from(received), sender.sign(built, new Date())]);
});

async function timedAsync(work: () => Promise<void>): Promise<Run> {
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - began) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function reportMessages(name: string, work: (message: Buffer) => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const all = async () => {
    for (const message of messages) await work(message);
  };
  await timedAsync(all);
  const runs: Run[] = [];
  for (let i = 0; i < 5; i++) runs.push(await timedAsync(all));
  const median = (rate: (run: Run) => number) => runs.map(rate).sort((a, b) => a - b)[2];
  const wall = median((run) => messages.length / run.seconds);
  const cpu = median((run) => messages.length / run.cpuSeconds);
  console.log(`${name.padEnd(52)} wall: ${wall.toFixed(0).padStart(5)}/s    cpu: ${cpu.toFixed(0).padStart(5)}/s`);
  return { wall, cpu };
}

const sample = await analyzeMessage(messages[0], desk);
console.log(`${messages.length} generated phish: the first one ${sample.verdict} (${sample.reasons.map((reason) => reason.code).join(', ')}; dkim=${sample.auth?.dkim}, spf=${sample.auth?.spf})`);
const parsed = await reportMessages('reference: postal-mime parse only', (message) => PostalMime.parse(message));
const analysed = await reportMessages('messages analysed', (message) => analyzeMessage(message, desk));
console.log(`messages analysed: ${(analysed.wall / MESSAGE_TARGET).toFixed(2)}× the ${MESSAGE_TARGET}/s target in wall time, ${(analysed.cpu / MESSAGE_TARGET).toFixed(2)}× in CPU time; ${(parsed.cpu / analysed.cpu).toFixed(1)}× the time of postal-mime's parse alone (CPU)`);
