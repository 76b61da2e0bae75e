import PostalMime from 'postal-mime';

/** One recipient's block of a delivery status notification (RFC 3464 section 2.3). */
export interface RecipientStatus {
  /** The address the report is about, from Final-Recipient (else Original-Recipient). */
  recipient: string | null;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** The enhanced status code, e.g. 5.1.1. */
  status: string;
  /** The remote server's words, e.g. "smtp; 550 5.1.1 user unknown". */
  diagnostic: string | null;
}

export interface DeliveryStatusReport {
  /** Message-IDs the report says it is about: of the returned message, or named in the report itself. */
  messageIds: string[];
  recipients: RecipientStatus[];
}

const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const RETURNED_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers']);

/** Reads a delivery status notification (multipart/report); null when the message is not one (an auto-reply, a person's answer). */
export async function parseDeliveryStatus(raw: Uint8Array): Promise<DeliveryStatusReport | null> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'utf8' });
  const status = email.attachments.find((part) => STATUS_TYPES.has(part.mimeType));
  if (!status) return null;
  const [perMessage = [], ...perRecipient] = fieldBlocks(String(status.content));
  const returned = email.attachments.filter((part) => RETURNED_TYPES.has(part.mimeType)).map((part) => fieldBlocks(String(part.content))[0] ?? []);
  const messageIds = [
    ...returned.map((fields) => field(fields, 'message-id')),
    field(perMessage, 'original-message-id'),
    field(perMessage, 'x-original-message-id'),
    ...email.headers.filter((header) => header.key === 'x-original-message-id' || header.key === 'original-message-id').map((header) => header.value),
  ]
    .map((value) => value?.match(/<[^<>\s]+>/)?.[0])
    .filter((id): id is string => id !== undefined);
  return {
    messageIds: [...new Set(messageIds)],
    recipients: perRecipient.map((fields) => ({
      recipient: address(field(fields, 'final-recipient') ?? field(fields, 'original-recipient')),
      action: (field(fields, 'action') ?? '').toLowerCase(),
      status: field(fields, 'status') ?? '',
      diagnostic: field(fields, 'diagnostic-code'),
    })),
  };
}

type Fields = [name: string, value: string][];

/** Header-style blocks separated by blank lines, folded lines joined. */
function fieldBlocks(text: string): Fields[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) =>
      block
        .replace(/\n[ \t]+/g, ' ')
        .split('\n')
        .map((line): [string, string] | null => {
          const colon = line.indexOf(':');
          return colon > 0 ? [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] : null;
        })
        .filter((entry) => entry !== null),
    )
    .filter((fields) => fields.length > 0);
}

function field(fields: Fields, name: string): string | null {
  return fields.find(([key]) => key === name)?.[1] ?? null;
}

/** `rfc822; bob@example.com` → `bob@example.com`. */
function address(value: string | null): string | null {
  if (!value) return null;
  const semicolon = value.indexOf(';');
  return (semicolon >= 0 ? value.slice(semicolon + 1) : value).trim().replace(/^<|>$/g, '') || null;
}
