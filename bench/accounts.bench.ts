/**
 * What signing in costs, in one run:
 *
 *   npm run bench:accounts [-- --rounds 30]
 *
 * - argon2id with Tocsin's parameters (OWASP: 19 MiB, 2 passes, 1 lane) through @node-rs/argon2,
 *   beside the reference implementation's command-line tool (Debian's `argon2`, installed when
 *   missing) with the same parameters. The tool's time includes starting a process (measured
 *   alone with `true` and subtracted);
 * - login() on SQLite for an unknown email, a wrong password and a right one: the first two
 *   must take about as long (a dummy hash is checked), so that timing does not tell whether an
 *   account exists. Printed as ratios to the wrong-password time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addAccount, login } from '../src/accounts/index.ts';
import { hashPassword, passwordMatches } from '../src/accounts/passwords.ts';
import { configWith } from '../src/config.ts';
import { openContext } from '../src/context.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const rounds = Number(values.rounds);
const PASSWORD = 'velvet harbour quietly juggles 42 lanterns';

/** Median milliseconds of `rounds` runs of `run`. */
async function median(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Median milliseconds of each of `runs`, taking turns `rounds` times. */
async function interleavedMedians(runs: (() => unknown)[]): Promise<number[]> {
  const times = runs.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    for (const [index, run] of runs.entries()) {
      const start = performance.now();
      await run();
      times[index].push(performance.now() - start);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]);
}

function ensureArgon2Tool(): void {
  if (existsSync('/usr/bin/argon2')) return;
  console.error('installing argon2 (the reference implementation\'s tool) from Debian…');
  execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq argon2'], { stdio: 'inherit' });
}

ensureArgon2Tool();
const stored = await hashPassword(PASSWORD);
const ours = await median(() => hashPassword(PASSWORD));
const ourVerify = await median(() => passwordMatches(stored, PASSWORD));
const spawnOnly = await median(() => spawnSync('true'));
const tool = (await median(() => spawnSync('/usr/bin/argon2', ['saltsaltsaltsalt', '-id', '-t', '2', '-k', '19456', '-p', '1', '-e'], { input: PASSWORD }))) - spawnOnly;

const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-accounts-'));
const ctx = await openContext({ config: configWith({ data_dir: dir }), actor: 'bench' });
await addAccount(ctx, { email: 'ana@shop.example', role: 'viewer', password: PASSWORD });
let n = 0;
// A new address per attempt and a quiet hour between them: the throttle never waits.
let clock = Date.now();
Object.assign(ctx, { now: () => new Date((clock += 3_600_000)) });
const attempt = (email: string, password: string) => login(ctx, { email, password, address: `198.51.100.${n++ % 250}` }).catch(() => {});
// Interleaved, so that a load that comes and goes on the machine weighs on all three alike.
const [unknown, wrong, right] = await interleavedMedians([
  () => attempt(`nobody${n}@shop.example`, PASSWORD),
  () => attempt('ana@shop.example', `${PASSWORD}!`),
  () => attempt('ana@shop.example', PASSWORD),
]);
await ctx.close();
rmSync(dir, { recursive: true, force: true });

const ms = (value: number) => `${value.toFixed(1)} ms`;
console.log(`argon2id m=19456 t=2 p=1, median of ${rounds}:`);
console.log(`  @node-rs/argon2 hash     ${ms(ours)}  (verify ${ms(ourVerify)})`);
console.log(`  argon2 tool (reference)  ${ms(tool)}  (process start ${ms(spawnOnly)} subtracted)`);
console.log(`  ratio tool/ours          ${(tool / ours).toFixed(2)}`);
console.log(`login() on SQLite, median of ${rounds}:`);
console.log(`  wrong password  ${ms(wrong)}`);
console.log(`  unknown email   ${ms(unknown)}  ratio ${(unknown / wrong).toFixed(2)}`);
console.log(`  right password  ${ms(right)}  ratio ${(right / wrong).toFixed(2)} (starts a session)`);
