import { POSTGRES_SKIPPED, POSTGRES_URL } from './databases.ts';

/** Says once, at the top of the run, that the PostgreSQL half of the suite is not running. */
export default function setup(): void {
  if (!POSTGRES_URL) process.stderr.write(`\n⚠ ${POSTGRES_SKIPPED}\n\n`);
}
