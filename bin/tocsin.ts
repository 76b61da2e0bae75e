#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Compiled code (and stripped TypeScript) is cached between runs, for the worker threads too: a
// CLI starts often. The cache must be on before the first import of our code, hence the dynamic import.
enableCompileCache();
// Whatever Tocsin creates (the database, outbox, previews, --out files) holds breached personal
// data: its owner's alone, whatever the shell's umask. Services pass the same modes explicitly.
process.umask(0o077);
const { main } = await import('../src/cli/index.ts');

// `tocsin affected ID | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
