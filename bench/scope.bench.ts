/**
 * Scoping speed beside the tools a responder would otherwise reach for, in one run:
 *
 *   npm run bench:scope [-- --runs N] [--log-lines N] [--only scope]
 *
 * On a demo shop of 1M orders and a ≥ 2 GB combined log (9.5M lines; --log-lines makes a
 * smaller or bigger one, each size generated once into bench/.cache),
 * with the page cache warm, it times: ripgrep counting the indicator addresses as fixed
 * strings; GoAccess parsing the whole log; `tocsin scope` with the indicators; `tocsin detect`
 * (every line parsed); `tocsin scope` on a 4 GB log, for memory; the same log rotated into 8
 * gzipped parts (`gzip -6`), as servers keep it, with `rg -z` beside `tocsin scope`; and
 * `tocsin import` of the orders. Each is a child process under GNU time (wall seconds, CPU
 * seconds, peak RSS); medians of N runs. Tocsin and the tool it is compared with run in turn,
 * run by run, so that a machine busy with other work slows both alike; the CPU ratio beside the
 * wall-clock one holds even when it does not. `--only scope` leaves out GoAccess, detect and the
 * 4 GB log, and imports once. A scope run's time, on the plain log and on the .gz parts, is broken down into
 * start-up (`tocsin scope --help`), the scan (the log scanner alone, in this process) and the database with the
 * rest (what remains).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { generateDemoShop } from '../src/demo/generate.ts';
import { scanLogs } from '../src/scoping/scan.ts';
import { parseScopeFile } from '../src/scoping/scope-file.ts';

const DEFAULT_LOG_LINES = 9_500_000; // about 2.5 GB of combined log
const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, 'log-lines': { type: 'string', default: String(DEFAULT_LOG_LINES) }, only: { type: 'string' } },
});
if (args.only !== undefined && args.only !== 'scope') throw new Error('--only takes scope');
const RUNS = Number(args.runs);
const ORDERS = 1_000_000;
const LOG_LINES = Number(args['log-lines']);
if (!(Number.isInteger(RUNS) && RUNS >= 1 && Number.isInteger(LOG_LINES) && LOG_LINES >= 200)) throw new Error('--runs takes a whole number from 1, --log-lines one from 200');
const cache = fileURLToPath(new URL(LOG_LINES === DEFAULT_LOG_LINES ? './.cache/scope/' : `./.cache/scope-${LOG_LINES}/`, import.meta.url));
const shop = `${cache}shop/`;
const log2 = `${cache}combined-2g.log`;
const log4 = `${cache}combined-4g.log`;
const GZ_PARTS = 8;
const gzDir = `${cache}rotated/`;
const gzParts = Array.from({ length: GZ_PARTS }, (_, i) => `${gzDir}access.log.${i + 1}.gz`);
const tocsin = fileURLToPath(new URL('../bin/tocsin.js', import.meta.url));

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
  /** User and system CPU seconds, of every thread and child. */
  cpu: number;
  rssMB: number;
}

type Named = Measure & { name: string };

/** One child process under GNU time: wall seconds, CPU seconds and peak resident memory. */
function timed(command: string[], env: NodeJS.ProcessEnv = process.env): Measure {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...command], { env, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const last = result.stderr.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed:\n${result.stderr}`);
  const [seconds, user, system, kilobytes] = last.split(' ').map(Number);
  return { seconds, cpu: user + system, rssMB: kilobytes / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function summary(name: string, runs: Measure[]): Named {
  return { name, seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)), rssMB: Math.max(...runs.map((r) => r.rssMB)) };
}

function report(name: string, measured: Measure): Measure {
  console.error(`  ${name}: ${measured.seconds.toFixed(2)} s, ${measured.cpu.toFixed(2)} s CPU, ${measured.rssMB.toFixed(0)} MB`);
  return measured;
}

function measure(name: string, command: () => string[], before?: () => void, times = RUNS): Named {
  const runs: Measure[] = [];
  for (let i = 0; i < times; i++) {
    before?.();
    runs.push(report(name, timed(command())));
  }
  return summary(name, runs);
}

/** Two commands run in turn, run by run: a load that comes and goes weighs on both alike. */
function measureInTurn(names: [string, string], commands: [() => string[], () => string[]]): [Named, Named] {
  const runs: [Measure[], Measure[]] = [[], []];
  for (let i = 0; i < RUNS; i++) for (const k of [0, 1] as const) runs[k].push(report(names[k], timed(commands[k]())));
  return [summary(names[0], runs[0]), summary(names[1], runs[1])];
}

/** The log scanner alone, in this process, as a scope run drives it (its digest known): wall and CPU seconds (of every thread). */
async function timeScan(logs: string[], rules: string): Promise<{ seconds: number; cpu: number }> {
  const scope = parseScopeFile(readFileSync(rules, 'utf8'), rules);
  const runs: { seconds: number; cpu: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await scanLogs(logs, scope, { reading: { format: 'combined' }, mode: 'attacker', digests: new Map(logs.map((log) => [log, 'known'])) });
    const used = process.cpuUsage(cpu);
    runs.push({ seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 });
    console.error(`  scan alone (${logs.length} files): ${runs.at(-1)!.seconds.toFixed(2)} s, ${runs.at(-1)!.cpu.toFixed(2)} s CPU`);
  }
  return { seconds: median(runs.map((run) => run.seconds)), cpu: median(runs.map((run) => run.cpu)) };
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
  const all = args.only === undefined;
  ensureTool('rg', 'ripgrep');
  if (all) ensureTool('goaccess', 'goaccess');
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
  const importRun = measure('tocsin import', () => [process.execPath, tocsin, '--data-dir', dataDir, 'import', incident, `${shop}orders.csv`, '--preset', 'tocsin-demo', '--rules', rules], freshIncident, all ? RUNS : 1);
  const patterns = fixedStrings(readFileSync(rules, 'utf8')).flatMap((pattern) => ['-e', pattern]);
  const tocsinArgs = (command: string, ...logs: string[]) => [process.execPath, tocsin, '--data-dir', dataDir, command, incident, '--rules', rules, '--logs', ...logs];
  // The first run of a log hashes it (SHA-256, one core, ~1.4 GB/s); later runs trust that hash while the file is unchanged.
  const firstScope = measure('tocsin scope, first run', () => tocsinArgs('scope', log2), freshScope);
  const [rg, scope] = measureInTurn(['ripgrep', 'tocsin scope'], [() => ['rg', '-c', '-F', ...patterns, log2], () => tocsinArgs('scope', log2)]);
  const startUp = measure('tocsin start-up', () => [process.execPath, tocsin, 'scope', '--help']);
  const scan = await timeScan([log2], rules);
  const goaccess = all ? measure('goaccess', () => ['goaccess', log2, '--log-format=COMBINED', '-o', `${cache}goaccess.json`]) : null;
  const detect = all ? measure('tocsin detect', () => tocsinArgs('detect', log2)) : null;
  for (const part of gzParts) execFileSync('sh', ['-c', `cat '${part}' > /dev/null`]);
  timed(tocsinArgs('scope', ...gzParts)); // hashes the parts once, as the first run of any log does
  const [rgGz, scopeGz] = measureInTurn(['ripgrep -z (8 .gz)', 'tocsin scope (8 .gz)'], [() => ['rg', '-z', '-c', '-F', ...patterns, ...gzParts], () => tocsinArgs('scope', ...gzParts)]);
  const scanGz = await timeScan(gzParts, rules);
  if (all) execFileSync('sh', ['-c', `cat '${log4}' > /dev/null`]);
  const scope4 = all ? measure('tocsin scope (4 GB)', () => tocsinArgs('scope', log4)) : null;

  const ratio = (m: Named, against: Named) => `${(against.seconds / m.seconds).toFixed(2)}× ${against.name} (CPU ${(against.cpu / m.cpu).toFixed(2)}×)`;
  const row = (m: Named | null, mb: number, against?: Named | null) =>
    m === null
      ? ''
      : [m.name.padEnd(22), `${m.seconds.toFixed(2)} s`.padStart(9), `${m.cpu.toFixed(2)} s`.padStart(9), `${(mb / m.seconds).toFixed(0)} MB/s`.padStart(11), `${m.rssMB.toFixed(0)} MB`.padStart(8), against ? ratio(m, against) : ''].join('  ');
  console.log(`\nscope benchmark: ${megabytes2.toFixed(0)} MB combined log, ${ORDERS.toLocaleString('en')} orders, ${RUNS} runs, medians; RSS is the peak\n`);
  console.log(['tool'.padEnd(22), 'time'.padStart(9), 'CPU'.padStart(9), 'throughput'.padStart(11), 'peak RSS'.padStart(8), 'ratio'].join('  '));
  const rows = [row(rg, megabytes2), row(goaccess, megabytes2), row(firstScope, megabytes2, rg), row(scope, megabytes2, rg), row(detect, megabytes2, goaccess)];
  rows.push(row(rgGz, megabytes2), row(scopeGz, megabytes2, rgGz), row(scope4, megabytes2 * 2));
  for (const line of rows) if (line !== '') console.log(line);
  console.log(`${'tocsin import'.padEnd(22)}  ${`${importRun.seconds.toFixed(2)} s`.padStart(9)}  ${`${importRun.cpu.toFixed(2)} s`.padStart(9)}  ${`${Math.round(ORDERS / importRun.seconds / 1000)}k rows/s`.padStart(11)}  ${`${importRun.rssMB.toFixed(0)} MB`.padStart(8)}`);
  console.log('(throughput of the .gz rows is of the uncompressed log; CPU is user + system, of all threads)');
  // CPU seconds beside wall ones: on a busy machine the wall-clock shares say more about the load than about Tocsin.
  const breakdown = (run: Named, scanned: { seconds: number; cpu: number }) => {
    const share = (seconds: number, cpu: number) => `${seconds.toFixed(2)} s (${Math.round((100 * seconds) / run.seconds)}%, CPU ${cpu.toFixed(2)} s)`;
    const rest = share(Math.max(0, run.seconds - startUp.seconds - scanned.seconds), Math.max(0, run.cpu - startUp.cpu - scanned.cpu));
    return `${run.name}, ${run.seconds.toFixed(2)} s (CPU ${run.cpu.toFixed(2)} s): start-up ${share(startUp.seconds, startUp.cpu)}, scan ${share(scanned.seconds, scanned.cpu)}, database and the rest ${rest}`;
  };
  console.log(`\n${breakdown(scope, scan)}\n${breakdown(scopeGz, scanGz)}`);
  const targets = [`scope ≥ 0.50× ripgrep (${(rg.seconds / scope.seconds).toFixed(2)})`, `scope on .gz ≥ 1.0× rg -z (${(rgGz.seconds / scopeGz.seconds).toFixed(2)})`];
  if (goaccess && detect && scope4) {
    targets.push(`detect ≥ 2× GoAccess (${(goaccess.seconds / detect.seconds).toFixed(2)})`, `peak RSS < 512 MB on 2 and 4 GB (${scope.rssMB.toFixed(0)}, ${scope4.rssMB.toFixed(0)})`);
  }
  targets.push(`import ≥ 100k rows/s (${Math.round(ORDERS / importRun.seconds / 1000)}k)`);
  console.log(`targets: ${targets.join(', ')}`);
}

await main();
