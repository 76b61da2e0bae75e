import { CATEGORIES } from '../domain/index.ts';
import type { NoticeVars } from './notice-vars.ts';
import type { VerificationCode } from './verification-code.ts';

const STORY: NoticeVars = {
  name: 'Camille Martin',
  exposed: ['name', 'email', 'phone', 'postal_address'],
  notExposed: ['payment_card_number', 'password_hash'],
  occurredFrom: '2019-10-30T00:00:00Z',
  occurredTo: '2019-11-13T23:59:59Z',
  discoveredAt: '2019-11-14T08:30:00Z',
  awareAt: '2019-11-14T16:00:00Z',
  controller: 'Example Phone Shop Ltd',
  contactEmail: 'dpo@shop.example.com',
  verificationCode: 'N43F6-V14GR-HS7MB' as VerificationCode, // a valid code, fixed so previews are stable
  verifyAddress: 'shop.example.com/verify',
  shopAddress: 'shop.example.com',
  narrative: { what_happened: ['An unauthorised person read other customers’ orders through our website, including yours.'] },
  noticeDate: '2019-11-20T10:00:00Z',
};

/** What an incident may record beyond the minimum: a phone number, a parent company, the law enforcement fact, a protection offer. */
const FULL_FACTS: Partial<NoticeVars> = {
  contactPhone: '+1 800 555 0199',
  controllerParent: 'Example Holdings Inc.',
  lawEnforcementDelay: 'no',
  protection: { provider: 'Example Identity Guard', enrolment: 'call 1-800-555-0142 and give the activation code EXAMPLE-42', months: 24 },
};

/** Every part of a narrative given, so templates render the incident's text where they would otherwise say their defaults. */
const FULL_NARRATIVE: NoticeVars['narrative'] = {
  what_happened: ['An unauthorised person read other customers’ orders through our website.', 'The orders held your name and address.'],
  what_we_did: ['We closed the page the next morning.'],
  what_we_are_doing: ['We are reviewing every page that shows an order.'],
  what_you_can_do: ['Tell us if someone calls about your order.'],
};

/**
 * Notices that exercise a template set: a story with only what happened told, nothing reported and nothing optional recorded
 * (some data seen, some not), and every category seen at once with every part of the narrative told, a report submitted, the
 * authority's duty found and every optional fact recorded, so each category's phrase and advice, each narrative part and each
 * optional sentence is rendered at least once.
 */
export const SAMPLE_NOTICE_VARS: readonly NoticeVars[] = [
  STORY,
  { ...STORY, ...FULL_FACTS, exposed: CATEGORIES, notExposed: [], narrative: FULL_NARRATIVE, reportedTo: ["Information Commissioner's Office"], authorityDuty: true },
];
