import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): the milliseconds since 1970 in its first 48 bits, then 74 random bits.
 * Rows keyed by it are appended to their index in the order they are made, where random ids
 * would each write a page of it anywhere: a rush of "Was I affected?" lookups queues a job
 * each. Made from randomUUID's bits (Node draws them in bulk), which the uuid package,
 * drawing 16 bytes from the system on each call, took twice the time over.
 */
export function timeOrderedId(now = Date.now()): string {
  const random = randomUUID();
  const ms = now.toString(16).padStart(12, '0');
  // randomUUID's version nibble (4) becomes 7; its variant bits stay.
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}
