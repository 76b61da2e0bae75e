/**
 * The upload benchmark's reference: a bare node:http server that pipes each request's body,
 * unparsed, to the file its first argument names, and prints its URL. No multipart parsing,
 * hashing or database: what Node's HTTP and the disk allow on this machine.
 */
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

const out = process.argv[2];
const server = createServer((request, response) => {
  pipeline(request, createWriteStream(out)).then(
    () => response.end('stored\n'),
    () => response.writeHead(500).end(),
  );
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
