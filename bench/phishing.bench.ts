/**
 * The phishing desk's speed:
 *
 *   npm run bench:phishing [-- domains=20000]
 *
 * Reverse look-alike checks: `lookalikeIndex(10 shop domains).imitates(domain)` over a mixed list
 * (a third look-alikes of the shops made by the permutation classes, Cyrillic homoglyphs in
 * punycode among them; two thirds random real-looking domains, some with subdomains), against the
 * ≥ 100k checks/s target. Beside it, as the reference of the same run, tldts's parse of the same
 * domains: the one step every check must take. Median of 5 runs after a warm-up, per second of
 * wall time and of this process's CPU time, which other load on the machine disturbs less.
 */
import { domainToASCII } from 'node:url';
import { parse } from 'tldts';
import { lookalikeIndex } from '../src/phishing/index.ts';
import { GENERATED_KINDS, permutations } from '../src/phishing/permutations.ts';

const count = Number(process.argv[2]?.replace(/^domains=/, '') ?? 20_000);
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
