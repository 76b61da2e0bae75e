/**
 * Regenerates the phishing desk's compact confusables table from Unicode's confusables.txt:
 *
 *   npx node scripts/confusables-table.ts ../shared/data/unicode/confusables.txt
 *
 * writes src/phishing/data/confusables.tsv. Update the version and SHA-256 in
 * src/phishing/data/README.md with it; src/phishing/confusables.test.ts checks the three agree.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { compactConfusables, confusablesHeader } from '../src/phishing/index.ts';

const sourcePath = process.argv[2];
if (!sourcePath) {
  console.error('usage: npx node scripts/confusables-table.ts PATH/TO/confusables.txt');
  process.exit(2);
}
const bytes = readFileSync(sourcePath);
const text = bytes.toString('utf8');
const { version, date, total } = confusablesHeader(text);
const table = compactConfusables(text, { version, date, sha256: createHash('sha256').update(bytes).digest('hex') });
const written = table.split('\n').filter((line) => /^[0-9A-F]/.test(line)).length;
if (written !== total) {
  console.error(`confusables.txt says it has ${total} mappings; ${written} were read: the format may have changed`);
  process.exit(1);
}
writeFileSync(new URL('../src/phishing/data/confusables.tsv', import.meta.url), table);
console.log(`src/phishing/data/confusables.tsv: ${written} mappings, Unicode ${version} (${date})`);
