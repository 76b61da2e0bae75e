import { describe, expect, it } from 'vitest';
import { splitMessages } from './mbox.ts';

describe('splitMessages', () => {
  it('splits an mbox at "From " lines that follow a blank line, undoing mboxrd quoting', () => {
    const mbox = ['From a@x Fri Nov 15 10:00:00 2019', 'Subject: one', '', 'Text.', 'From here on, text.', '>From quoted', '', 'From b@x Fri Nov 15 10:01:00 2019', 'Subject: two', '', 'body', ''].join('\n');
    expect(splitMessages(Buffer.from(mbox)).map((message) => message.toString())).toEqual(['Subject: one\n\nText.\nFrom here on, text.\nFrom quoted\n\n', 'Subject: two\n\nbody\n']);
  });

  it('takes any other file as one message', () => {
    expect(splitMessages(Buffer.from('Subject: only\r\n\r\nbody'))).toHaveLength(1);
  });
});
