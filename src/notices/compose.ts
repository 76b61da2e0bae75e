import type { Incident, NoticesTable } from '../db/index.ts';
import type { Narrative } from '../incidents/index.ts';
import type { Category } from '../domain/index.ts';
import type { NoticeVars } from './notice-vars.ts';
import { renderNotice, renderNoticeSubject, type RenderedNotice } from './render-notice.ts';
import type { IncidentTemplates } from './templates.ts';
import { deriveCode } from './verification-code.ts';

/** What a notice row keeps in `vars`: everything the templates need except the code. */
export type StoredVars = Omit<NoticeVars, 'verificationCode'>;

export function storedVars(input: {
  incident: Incident;
  name: string | null;
  exposed: Category[];
  notExposed: Category[];
  shopAddress: string;
  verifyAddress: string;
  /** The narrative in the notice's locale: snapshotted, so what was built is what is sent. */
  narrative: Narrative;
  reportedTo: string[];
  authorityDuty: boolean;
  /** When the notice is built: the date it carries. */
  noticeDate: string;
}): StoredVars {
  const { incident } = input;
  return {
    name: input.name ?? '',
    exposed: input.exposed,
    notExposed: input.notExposed,
    occurredFrom: incident.occurred_from!,
    occurredTo: incident.occurred_to!,
    discoveredAt: incident.discovered_at,
    awareAt: incident.aware_at,
    controller: incident.controller!,
    contactEmail: incident.contact_email!,
    shopAddress: input.shopAddress,
    verifyAddress: input.verifyAddress,
    narrative: input.narrative,
    reportedTo: input.reportedTo,
    authorityDuty: input.authorityDuty,
    noticeDate: input.noticeDate,
    contactPhone: incident.contact_phone,
    controllerParent: incident.controller_parent,
    lawEnforcementDelay: incident.law_enforcement_delay,
    protection:
      incident.protection_provider && incident.protection_enrolment && incident.protection_months
        ? { provider: incident.protection_provider, enrolment: incident.protection_enrolment, months: incident.protection_months }
        : null,
  };
}

export type ComposedNotice = Pick<NoticesTable, 'incident_id' | 'subject' | 'locale' | 'variant' | 'vars'>;

/**
 * A notice's subject line and bodies, in the variant its reader's jurisdiction requires, its
 * code made again from the secret key: what the build checked is exactly what is sent.
 */
export function composeNotice(notice: ComposedNotice, templates: Pick<IncidentTemplates, 'sets'>, secret: Uint8Array): RenderedNotice {
  return renderNotice(templates.sets[notice.variant], notice.locale, varsOf(notice, secret));
}

/** The subject line a notice was sent with: what its reader can compare with the message they hold. */
export function composeNoticeSubject(notice: ComposedNotice, templates: Pick<IncidentTemplates, 'sets'>, secret: Uint8Array): string {
  return renderNoticeSubject(templates.sets[notice.variant], notice.locale, varsOf(notice, secret));
}

function varsOf(notice: ComposedNotice, secret: Uint8Array): NoticeVars {
  return {
    ...(JSON.parse(notice.vars) as StoredVars),
    // Derived when read: a subject line seldom prints the code.
    get verificationCode() {
      return deriveCode(secret, notice.incident_id, notice.subject);
    },
  };
}
