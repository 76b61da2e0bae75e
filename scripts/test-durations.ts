/**
 * Writes test/durations.json, each test file's seconds in a full run, from that run's JSON report:
 *
 *   npx vitest run --reporter=json --outputFile.json=report.json
 *   npm run test:durations -- report.json
 *
 * test/helpers/slowest-first.ts starts the slowest files first with it. Run it again when files
 * are added or their times change a lot; a stale list only packs the workers less tightly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
const report = process.argv[2];
if (!report) {
  console.error('usage: npm run test:durations -- REPORT.json (a vitest run with --reporter=json --outputFile.json=REPORT.json)');
  process.exit(2);
}
const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { name: string; startTime: number; endTime: number }[] };
// The report names files by absolute path, perhaps in another checkout (CI's clone): relative to the directory they share.
const root = testResults.map((file) => dirname(file.name)).reduce((common, dir) => {
  while (dir !== common && !dir.startsWith(common + sep)) common = dirname(common);
  return common;
});
const seconds = testResults
  .map((file) => [relative(root, file.name), Math.round((file.endTime - file.startTime) / 100) / 10] as const)
  .sort(([a, secondsA], [b, secondsB]) => secondsB - secondsA || a.localeCompare(b));
writeFileSync(new URL('../test/durations.json', import.meta.url), `${JSON.stringify(Object.fromEntries(seconds), null, 2)}\n`);
console.log(`test/durations.json: ${seconds.length} files, ${seconds.reduce((sum, [, s]) => sum + s, 0).toFixed(0)} s in all`);
