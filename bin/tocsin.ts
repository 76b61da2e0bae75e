#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Compiled code (and stripped TypeScript) is cached between runs, for the worker threads too: a
// CLI starts often. The cache must be on before the first import of our code, hence the dynamic import.
enableCompileCache();
const { main } = await import('../src/cli/main.ts');

// `tocsin affected ID | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
