/**
 * The record reader on the demo shop's orders.csv, beside csv-parse on the same file:
 *
 *   npx node bench/import-read.bench.ts [orders=1000000]
 *
 * Generates the demo (kept in bench/.cache), then reports the median of 3 runs, after a
 * warm-up, of: csv-parse alone (fields as strings, nothing else), and readRecords with the
 * tocsin-demo preset and the demo's rule columns (records with normalized subjects). Rows per
 * second of wall time, and of this process's CPU time, which other load disturbs less.
 */
import { createReadStream, existsSync } from 'node:fs';
import { parse } from 'csv-parse';
import { generateDemoShop } from '../src/demo/generate.ts';
import { readRecords } from '../src/records/read-records.ts';

const orders = Number(process.argv[2] ?? 1_000_000);
const outDir = new URL(`./.cache/demo-${orders}/`, import.meta.url).pathname;
const path = `${outDir}orders.csv`;

type Run = { rows: number; seconds: number; cpuSeconds: number };

async function timed(work: () => Promise<number>): Promise<Run> {
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const rows = await work();
  const used = process.cpuUsage(cpu);
  return { rows, seconds: Number(process.hrtime.bigint() - began) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function csvParseOnly(): Promise<number> {
  let rows = 0;
  for await (const _ of createReadStream(path, { highWaterMark: 1 << 20 }).pipe(parse({ from_line: 2 }))) rows++;
  return rows;
}

async function readRecordsWithPreset(): Promise<number> {
  const source = await readRecords(path, { preset: 'tocsin-demo', ruleColumns: ['imei', 'order_id'] });
  let rows = 0;
  for await (const batch of source.batches) {
    for (const event of batch) {
      if (event.type !== 'record') throw new Error(`line ${event.line} quarantined: ${event.reason}`);
      rows++;
    }
  }
  return rows;
}

async function report(name: string, work: () => Promise<number>): Promise<number> {
  await timed(work); // warm-up: page cache and JIT
  const runs: Run[] = [];
  for (let k = 0; k < 3; k++) runs.push(await timed(work));
  const median = (rate: (run: Run) => number) => runs.map(rate).sort((a, b) => a - b)[1];
  const wall = median((run) => run.rows / run.seconds);
  const cpu = median((run) => run.rows / run.cpuSeconds);
  console.log(`${name.padEnd(28)} wall: ${(wall / 1e3).toFixed(0).padStart(5)}k rows/s   cpu: ${(cpu / 1e3).toFixed(0).padStart(5)}k rows/s`);
  return wall;
}

if (!existsSync(path)) await generateDemoShop({ outDir, orders, logLines: 200, seed: 1 });
const baseline = await report('csv-parse (strings only)', csvParseOnly);
const ours = await report('readRecords (tocsin-demo)', readRecordsWithPreset);
console.log(`readRecords / csv-parse: ${(ours / baseline).toFixed(2)}×`);
