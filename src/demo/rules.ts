import { IMEI_LOOKUP_PATH, ORDER_API_PATH } from './site.ts';

/** The exposure rules of the demo attack, shared by the ground truth and scope.yml so they cannot disagree. */

export type Category = 'email' | 'name' | 'payment_card_last4' | 'phone' | 'postal_address';

export interface ExposureRule {
  name: string;
  method: 'GET';
  pattern: string;
  exposes: readonly Category[];
  /** The statuses that reveal the record; null for any 2xx. */
  statuses: readonly number[] | null;
}

export const IMEI_LOOKUP: ExposureRule = {
  name: 'imei-lookup',
  method: 'GET',
  pattern: `${IMEI_LOOKUP_PATH}?imei=:imei`,
  exposes: ['name', 'email', 'phone', 'postal_address'],
  statuses: null,
};

export const ORDER_API: ExposureRule = {
  name: 'order-api',
  method: 'GET',
  pattern: `${ORDER_API_PATH}:order_id`,
  exposes: ['name', 'email', 'phone', 'postal_address', 'payment_card_last4'],
  statuses: [200],
};

/** Whether a request that names a record through `rule` revealed it. */
export function reveals(rule: ExposureRule, method: string, status: number): boolean {
  return method === rule.method && (rule.statuses ? rule.statuses.includes(status) : status >= 200 && status < 300);
}

/** What identifies the attacker; a request matching any of ips, user agents or accounts within from…until is theirs. */
export interface Indicators {
  ips: string[];
  user_agents: string[];
  accounts: string[];
  from: string;
  until: string;
}

const list = (values: readonly string[]) => `[${values.map((value) => JSON.stringify(value)).join(', ')}]`;

/** The rules file a responder would write for this attack. */
export function scopeYaml(indicators: Indicators): string {
  const rules = [IMEI_LOOKUP, ORDER_API].map(
    (rule) =>
      `  - name: ${rule.name}\n` +
      `    request: ${rule.method} ${rule.pattern}\n` +
      `    exposes: [${rule.exposes.join(', ')}]\n` +
      (rule.statuses ? `    status: [${rule.statuses.join(', ')}]\n` : ''),
  );
  return (
    `rules:\n${rules.join('')}` +
    `indicators:\n` +
    `  ips: ${list(indicators.ips)}\n` +
    `  user_agents: ${list(indicators.user_agents)}\n` +
    `  accounts: ${list(indicators.accounts)}\n` +
    `  from: ${indicators.from}\n` +
    `  until: ${indicators.until}\n`
  );
}
