/**
 * The messages of a file: an mbox (each message after a "From " line that follows a blank
 * line) or a single message (.eml). Bytes stay as they are; mboxrd's ">From " quoting is undone.
 */
export function splitMessages(file: Buffer): Buffer[] {
  const text = file.toString('latin1');
  if (!text.startsWith('From ')) return [file];
  return text
    .split(/(?<=^|\n\r?\n)From [^\n]*\n/)
    .slice(1)
    .map((message) => Buffer.from(message.replace(/^>(>*From )/gm, '$1'), 'latin1'));
}
