import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fileTransport } from './file-transport.ts';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-file-transport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (name: string) => ({ from: 'help@shop.example.com', to: 'someone@example.org', raw: Buffer.from('Subject: hello\r\n\r\nhi\r\n'), name });

it('makes its outbox on the first write when nothing verified it (the portal answers so), its owner’s only', async () => {
  const outbox = join(dir, 'never-made', 'outbox');
  const result = await fileTransport(outbox, 'the outbox').deliver(message('answer.1'));
  expect(result.kind).toBe('accepted');
  expect(readFileSync(join(outbox, 'answer.1.eml'), 'utf8')).toContain('Subject: hello');
  expect(statSync(outbox).mode & 0o777).toBe(0o700);
});

it('does not make again an outbox that vanished after its first write: it stops', async () => {
  const outbox = join(dir, 'vanishing');
  const transport = fileTransport(outbox, 'the outbox');
  await transport.verify();
  rmSync(outbox, { recursive: true });
  expect((await transport.deliver(message('notice.1'))).kind).toBe('fatal');
});
