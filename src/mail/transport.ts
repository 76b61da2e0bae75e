import { describeTransport, type TransportSpec } from './transport-url.ts';
import { fileTransport } from './file-transport.ts';
import { smtpTransport } from './smtp-transport.ts';

/** What became of one hand-over. A transport never throws for a message: every failure is one of these. */
export type DeliveryResult =
  /** The server took responsibility for the message (2xx after DATA), or the file was written. */
  | { kind: 'accepted'; reply: string }
  /** Try again later: a 4xx, a dropped connection, a timeout. `deferredByServer` is a 4xx reply, which slows the domain down. */
  | { kind: 'transient'; reply: string; deferredByServer: boolean }
  /** The recipient will never get it from this server: a 5xx for the recipient or the message. */
  | { kind: 'permanent'; reply: string }
  /** Nothing can be sent as things are: the server refuses the sender, the login or TLS. The campaign stops. */
  | { kind: 'fatal'; reply: string };

export interface OutgoingMessage {
  /** The envelope: MAIL FROM and RCPT TO. */
  from: string;
  to: string;
  raw: Buffer;
  /** A name for the message that carries no personal data: `{incident}.{seq}`. */
  name: string;
}

export interface Transport {
  readonly description: string;
  /** Checks that messages can be handed over at all (connects and logs in), before anything is claimed. */
  verify(): Promise<void>;
  deliver(message: OutgoingMessage): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export function openTransport(spec: TransportSpec, options: { connections: number }): Transport {
  const description = describeTransport(spec);
  return spec.kind === 'file' ? fileTransport(spec.dir, description) : smtpTransport(spec, description, options.connections);
}
