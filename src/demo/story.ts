import type { NewIncidentInput } from '../incidents/index.ts';
import { ATTACK_FROM_ISO, ATTACK_UNTIL_ISO } from './timeline.ts';

/** The incident as the demo shop's responders would open it, the day after the attack ended. */
export const DEMO_INCIDENT: NewIncidentInput = {
  title: 'Order data read through the after-sales IMEI lookup',
  occurred_from: ATTACK_FROM_ISO,
  occurred_to: ATTACK_UNTIL_ISO,
  discovered_at: '2019-11-14T08:30:00Z',
  aware_at: '2019-11-14T16:00:00Z',
  controller: 'Example Phone Shop Ltd',
  controller_country: 'GB',
  contact_email: 'dpo@shop.example.com',
  locale: 'en',
};

/** The demo runs on the story's clock: the morning after the shop became aware, legal clocks running. */
export const DEMO_NOW = new Date('2019-11-15T09:00:00Z');

/** Where the demo shop's customers check a notice: typed by hand, never a link. */
export const DEMO_SHOP_ADDRESS = 'shop.example.com';

/** Who the demo's notices come from, and the DKIM identity they are signed with. */
export const DEMO_SENDER = 'Example Phone Shop <notices@shop.example.com>';
export const DEMO_DKIM = { domain: 'shop.example.com', selector: 'tocsin-demo' };
