#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { main } from '../src/cli/main.ts';

// Compiled code is cached between runs (and for the worker threads): a CLI starts often.
enableCompileCache();

// `tocsin affected ID | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
