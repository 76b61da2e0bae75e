#!/usr/bin/env node
// JavaScript, not TypeScript: Node strips types with a WebAssembly parser it loads on first use, and
// every other file comes stripped from the compile cache; a TypeScript entry alone cost each
// command a sixth of its start.
import { enableCompileCache } from 'node:module';
import { setFlagsFromString } from 'node:v8';

// Compiled code (and stripped TypeScript) is cached between runs: a CLI starts often. The cache
// must be on before the first import of our code, hence the dynamic import. Worker threads (the
// senders' renderers, the scanners, the job runner) do not inherit it, but they do inherit the
// environment: without it each stripped and compiled its modules afresh, half a second of a
// `tocsin send` before its first message.
const cache = enableCompileCache();
if (cache.directory) process.env.NODE_COMPILE_CACHE = cache.directory;
// Whatever Tocsin creates (the database, outbox, previews, --out files) holds breached personal
// data: its owner's alone, whatever the shell's umask. Services pass the same modes explicitly.
process.umask(0o077);
// V8 grows the young generation while modules load, up to 64 MB semi-spaces, and never gives
// it back: a server then holds ~35 MB of it idle, and an upload's body chunks, each a fresh
// buffer freed only when a scavenge sweeps it, pile up in it (a 1 GiB upload: 171 → 240 MB RSS).
// It must be held before anything loads; the CLI lets every command but `serve` grow it again
// (src/cli/main.ts), and a command line without the word grows it from the start: loading the
// code in a 1 MB young generation took an eighth of a short command's time in scavenges.
if (process.argv.includes('serve')) setFlagsFromString('--semi-space-growth-factor=1');
const { main } = await import('../src/cli/index.ts');

// `tocsin affected ID | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
