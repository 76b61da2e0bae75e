// Front door of the command line (an adapter): bin/tocsin.js starts it here.
// Other folders and the adapters import this file, never the files behind it.
export { main } from './main.ts';
export type { CommandIo } from './io.ts';
