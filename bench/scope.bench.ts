/**
 * Scoping speed beside the tools a responder would otherwise reach for, in one run:
 *
 *   npm run bench:scope [-- --runs N]
 *
 * On a demo shop of 1M orders and a ≥ 2 GB combined log (generated once into bench/.cache),
 * with the page cache warm, it times: ripgrep counting the indicator addresses as fixed
 * strings; GoAccess parsing the whole log; `tocsin scope` with the indicators; `tocsin detect`
 * (every line parsed); `tocsin scope` on a 4 GB log, for memory; the same log rotated into 8
 * gzipped parts (`gzip -6`), as servers keep it, with `rg -z` beside `tocsin scope`; and
 * `tocsin import` of the orders. Each is a child process under GNU time (wall seconds, peak
 * RSS); medians of N runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { generateDemoShop } from '../src/demo/generate.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(args.runs);
const ORDERS = 1_000_000;
const LOG_LINES = 9_500_000; // about 2.5 GB of combined log
const cache = fileURLToPath(new URL('./.cache/scope/', import.meta.url));
const shop = `${cache}shop/`;
const log2 = `${cache}combined-2g.log`;
const log4 = `${cache}combined-4g.log`;
const GZ_PARTS = 8;
const gzDir = `${cache}rotated/`;
const gzParts = Array.from({ length: GZ_PARTS }, (_, i) => `${gzDir}access.log.${i + 1}.gz`);
const tocsin = fileURLToPath(new URL('../bin/tocsin.ts', import.meta.url));

function ensureTool(command: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return;
  console.error(`installing ${debianPackage} from Debian…`);
  execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${debianPackage}`], { stdio: 'inherit' });
}

async function prepareData(): Promise<void> {
  if (existsSync(log4)) return prepareRotated();
  mkdirSync(cache, { recursive: true });
  console.error(`generating the demo shop (${ORDERS.toLocaleString('en')} orders, ${LOG_LINES.toLocaleString('en')} log lines) once…`);
  await generateDemoShop({ outDir: shop, orders: ORDERS, logLines: LOG_LINES, seed: 2019 });
  // One plain file, oldest first, as a server's logs would be concatenated for a grep.
  const out = createWriteStream(log2);
  await pipeline(createReadStream(`${shop}access.log.2.gz`), createGunzip(), out, { end: false });
  for (const part of ['access.log.1', 'access.log']) await pipeline(createReadStream(`${shop}${part}`), out, { end: false });
  await new Promise<void>((resolve) => out.end(resolve));
  const doubled = createWriteStream(log4);
  for (let i = 0; i < 2; i++) await pipeline(createReadStream(log2), doubled, { end: false });
  await new Promise<void>((resolve) => doubled.end(resolve));
  prepareRotated();
}

/** The 2.5 GB log as a server rotates it: 8 parts of whole lines, each gzipped at gzip's default level. */
function prepareRotated(): void {
  if (gzParts.every((part) => existsSync(part))) return;
  console.error(`rotating the log into ${GZ_PARTS} gzipped parts once…`);
  rmSync(gzDir, { recursive: true, force: true });
  mkdirSync(gzDir, { recursive: true });
  execFileSync('split', ['-n', `l/${GZ_PARTS}`, '-d', '-a', '1', log2, `${gzDir}part.`]);
  for (let i = 0; i < GZ_PARTS; i++) execFileSync('sh', ['-c', `mv '${gzDir}part.${i}' '${gzDir}access.log.${i + 1}'`]);
  execFileSync('sh', ['-c', `ls '${gzDir}'access.log.* | xargs -P 2 -n 1 gzip -6`]);
}

interface Measure {
  seconds: number;
  rssMB: number;
}

/** One child process under GNU time: wall seconds and peak resident memory. */
function timed(command: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...command], { env, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const last = result.stderr.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
  const [seconds, kilobytes] = last.split(' ').map(Number);
  return { seconds, rssMB: kilobytes / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(name: string, command: () => string[], before?: () => void): Measure & { name: string } {
  const runs: Measure[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    runs.push(timed(command()));
    console.error(`  ${name}: ${runs.at(-1)!.seconds.toFixed(2)} s, ${runs.at(-1)!.rssMB.toFixed(0)} MB`);
  }
  return { name, seconds: median(runs.map((r) => r.seconds)), rssMB: Math.max(...runs.map((r) => r.rssMB)) };
}

/** The indicator addresses as the fixed strings a grep would look for: a /24 is its first three octets, a /48 its first three groups. */
function fixedStrings(scopeYaml: string): string[] {
  const ips = JSON.parse(/ips: (\[.*\])/.exec(scopeYaml)![1]) as string[];
  return ips.map((ip) => {
    const [address, bits] = ip.split('/');
    if (!bits) return address;
    if (address.includes(':')) return `${address.split(':').slice(0, Number(bits) / 16).join(':')}:`;
    return `${address.split('.').slice(0, Number(bits) / 8).join('.')}.`;
  });
}

async function main(): Promise<void> {
  ensureTool('rg', 'ripgrep');
  ensureTool('goaccess', 'goaccess');
  await prepareData();
  const rules = `${shop}scope.yml`;
  const gigabytes = (path: string) => statSync(path).size / 1e9;
  const megabytes2 = statSync(log2).size / 1e6;
  console.error(`log: ${gigabytes(log2).toFixed(2)} GB (and ${gigabytes(log4).toFixed(2)} GB); warming the page cache…`);
  for (const path of [log2, `${shop}orders.csv`]) execFileSync('sh', ['-c', `cat '${path}' > /dev/null`]);

  const dataDir = `${cache}data`;
  const env = { ...process.env, TOCSIN_DATA_DIR: dataDir, DATABASE_URL: '' };
  const run = (...command: string[]) => execFileSync(process.execPath, [tocsin, ...command], { env, encoding: 'utf8' }).trim();
  let incident = '';
  const freshIncident = () => {
    rmSync(dataDir, { recursive: true, force: true });
    incident = run('incident', 'create', '--title', 'bench', '--aware-at', '2019-11-14T16:00:00Z');
  };

  console.error('measuring (median of', RUNS, 'runs each)…');
  // A new modification time makes the log new to Tocsin: the run hashes it again.
  const freshScope = () => utimesSync(log2, new Date(), new Date());
  const importRun = measure('tocsin import', () => [process.execPath, tocsin, '--data-dir', dataDir, 'import', incident, `${shop}orders.csv`, '--preset', 'tocsin-demo', '--rules', rules], freshIncident);
  const patterns = fixedStrings(readFileSync(rules, 'utf8')).flatMap((pattern) => ['-e', pattern]);
  const rg = measure('ripgrep', () => ['rg', '-c', '-F', ...patterns, log2]);
  const goaccess = measure('goaccess', () => ['goaccess', log2, '--log-format=COMBINED', '-o', `${cache}goaccess.json`]);
  const tocsinArgs = (command: string, log: string) => [process.execPath, tocsin, '--data-dir', dataDir, command, incident, '--rules', rules, '--logs', log];
  // The first run of a log hashes it (SHA-256, one core, ~1.4 GB/s); later runs trust that hash while the file is unchanged.
  const firstScope = measure('tocsin scope, first run', () => tocsinArgs('scope', log2), freshScope);
  const scope = measure('tocsin scope', () => tocsinArgs('scope', log2));
  const detect = measure('tocsin detect', () => tocsinArgs('detect', log2));
  for (const part of gzParts) execFileSync('sh', ['-c', `cat '${part}' > /dev/null`]);
  const rgGz = measure('ripgrep -z (8 .gz)', () => ['rg', '-z', '-c', '-F', ...patterns, ...gzParts]);
  const scopeGz = measure('tocsin scope (8 .gz)', () => [...tocsinArgs('scope', gzParts[0]), ...gzParts.slice(1)]);
  execFileSync('sh', ['-c', `cat '${log4}' > /dev/null`]);
  const scope4 = measure('tocsin scope (4 GB)', () => tocsinArgs('scope', log4));

  const row = (m: Measure & { name: string }, mb: number, against?: Measure & { name: string }) =>
    [m.name.padEnd(22), `${m.seconds.toFixed(2)} s`.padStart(9), `${(mb / m.seconds).toFixed(0)} MB/s`.padStart(11), `${m.rssMB.toFixed(0)} MB`.padStart(8), against ? `${(against.seconds / m.seconds).toFixed(2)}× ${against.name}` : ''].join('  ');
  console.log(`\nscope benchmark: ${megabytes2.toFixed(0)} MB combined log, ${ORDERS.toLocaleString('en')} orders, ${RUNS} runs, medians; RSS is the peak\n`);
  console.log(['tool'.padEnd(22), 'time'.padStart(9), 'throughput'.padStart(11), 'peak RSS'.padStart(8), 'ratio'].join('  '));
  console.log(row(rg, megabytes2));
  console.log(row(goaccess, megabytes2));
  console.log(row(firstScope, megabytes2, rg));
  console.log(row(scope, megabytes2, rg));
  console.log(row(detect, megabytes2, goaccess));
  console.log(row(rgGz, megabytes2));
  console.log(row(scopeGz, megabytes2, rgGz));
  console.log(row(scope4, megabytes2 * 2));
  console.log(`${'tocsin import'.padEnd(22)}  ${`${importRun.seconds.toFixed(2)} s`.padStart(9)}  ${`${Math.round(ORDERS / importRun.seconds / 1000)}k rows/s`.padStart(11)}  ${`${importRun.rssMB.toFixed(0)} MB`.padStart(8)}`);
  console.log('(throughput of the .gz rows is of the uncompressed log)');
  console.log(`\ntargets: scope ≥ 0.50× ripgrep (${(rg.seconds / scope.seconds).toFixed(2)}), scope on .gz ≥ 1.0× rg -z (${(rgGz.seconds / scopeGz.seconds).toFixed(2)}), detect ≥ 2× GoAccess (${(goaccess.seconds / detect.seconds).toFixed(2)}), ` +
    `peak RSS < 512 MB on 2 and 4 GB (${scope.rssMB.toFixed(0)}, ${scope4.rssMB.toFixed(0)}), import ≥ 100k rows/s (${Math.round(ORDERS / importRun.seconds / 1000)}k)`);
}

await main();
