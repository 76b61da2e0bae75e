import { normalizeEmail } from '../lib/email-address.ts';
import type { Attack } from './attack.ts';
import { customer } from './customers.ts';
import { orderId, type OrderTable } from './orders.ts';
import { reveals, type Category, type Indicators } from './rules.ts';
import { ATTACK_FROM, ATTACK_UNTIL } from './timeline.ts';

/** What scoping must find in the demo shop's files: truth.json. */
export interface Truth {
  seed: number;
  orders: number;
  log_lines: number;
  indicators: Indicators;
  /** Log lines that are the attacker's: within the window and matching an indicator. */
  attack_requests: number;
  affected: AffectedSubject[];
}

export interface AffectedSubject {
  /** Normalized. */
  email: string;
  exposed: Category[];
  /** Order ids. */
  records: string[];
}

/**
 * Applies the exposure rules to the attack as planned. Every planned request matches an
 * indicator and no ordinary one does, so the attacker's requests are the planned ones
 * inside the window.
 */
export function groundTruth(seed: number, table: OrderTable, logLines: number, attack: Attack): Truth {
  const subjects = new Map<string, { exposed: Set<Category>; records: Set<string> }>();
  let attackRequests = 0;
  for (const request of attack.requests) {
    if (request.time < ATTACK_FROM || request.time > ATTACK_UNTIL) continue;
    attackRequests++;
    const { rule, order } = request;
    if (!rule || order < 0 || !reveals(rule, request.method, request.status)) continue;
    const email = normalizeEmail(customer(seed, table.customer[order]).emails[0]);
    if (email === null) throw new Error(`demo customer ${table.customer[order]} has an invalid email`);
    const subject = subjects.get(email) ?? { exposed: new Set<Category>(), records: new Set<string>() };
    subjects.set(email, subject);
    for (const category of rule.exposes) subject.exposed.add(category);
    subject.records.add(orderId(table.number[order]));
  }
  const affected = [...subjects]
    .map(([email, { exposed, records }]) => ({ email, exposed: [...exposed].sort(), records: [...records].sort() }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  return { seed, orders: table.count, log_lines: logLines, indicators: attack.indicators, attack_requests: attackRequests, affected };
}
