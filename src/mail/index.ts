// Front door of the mail kit: MIME, DKIM, SMTP and file transports, DSN, mbox. Knows nothing of notices.
// Other folders and the adapters import this file, never the files behind it.
export { dkimDnsRecord, type DkimKey, dkimSigner, loadDkimKey } from './dkim.ts';
export { parseDeliveryStatus, type RecipientStatus } from './dsn.ts';
export { singleMailbox } from './mailbox.ts';
export { splitMessages } from './mbox.ts';
export { buildMessage, type Mailbox } from './mime.ts';
export { domainOf, INVALID_RECIPIENT, recipientAddress } from './recipient.ts';
export { replyCodes } from './smtp-reply.ts';
export { parseTransport, readPasswordFile, type SmtpPassword, type TransportSpec } from './transport-url.ts';
export { type DeliveryResult, openTransport, type OutgoingMessage, type Transport } from './transport.ts';
