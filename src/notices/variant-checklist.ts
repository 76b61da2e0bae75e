import type { NoticeVariant } from '../db/index.ts';
import { formatDate } from './dates.ts';
import type { NoticeVars } from './notice-vars.ts';
import type { LocaleTemplates } from './template-set.ts';

/** The variants whose readers' law gives them an authority to complain to: their notices name it (regimes.json). */
export const VARIANTS_WITH_AUTHORITY: readonly NoticeVariant[] = ['gdpr', 'ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd'];

/** A body of a rendered sample notice: the text or the HTML part, each checked on its own so a problem names its file. */
export interface CheckedBody {
  part: 'text' | 'html';
  body: string;
}

/** One item of a variant's checklist, checked on both bodies of every sample notice of each of its locales. */
export interface ChecklistRule {
  id: string;
  variants: readonly NoticeVariant[] | 'all';
  /** Why: the provision or the reason, quoted in the message. */
  source: string;
  /** What is wrong with this body of a rendered sample, or null. */
  check(body: CheckedBody, sample: NoticeVars, templates: LocaleTemplates, variant: NoticeVariant): string | null;
}

/**
 * "Customers who do not receive this message were not affected", in the built-in languages. A later
 * run or a bounce makes it false, and a phisher's "you were affected" reads as true beside it.
 */
const UNRECEIVED_NOT_AFFECTED = [
  /\b(?:do|did|does) not (?:receive|get) (?:this|the|a|our) (?:message|notice|email|e-mail|letter)\b/i,
  /\bne (?:reçoivent|recevront|reçoit) pas (?:ce|cet|notre) (?:message|courriel|e-mail|avis)/i,
  /\b(?:diese|unsere) (?:Nachricht|E-Mail|Mitteilung) nicht (?:erhält|erhalten)/i,
  /\bno (?:reciban|reciben|recibe) (?:este|nuestro) (?:mensaje|correo|aviso)/i,
  /\bnon (?:ricevono|riceveranno|riceve) (?:questo|questa|il nostro) (?:messaggio|e-mail|avviso|comunicazione)/i,
  /\bnão (?:receberem|recebem|receber) (?:esta|este|nossa|nosso) (?:mensagem|e-mail|comunicado|aviso)/i,
];

/** The GDPR's right to complain to "a supervisory authority" (Art. 77), in the built-in languages. */
const EU_SUPERVISORY_AUTHORITY = [
  /\bsupervisory authorit(?:y|ies)\b/i,
  /\bautorités? de contrôle\b/i,
  /Aufsichtsbehörden?\b/i,
  /\bautoridad(?:es)? de control\b/i,
  /\bautorità di controllo\b/i,
  /\bautoridades? (?:de controlo|supervisora|de supervisão)\b/i,
];

/** A protection offer must say how to enrol itself, not send the reader to ask. */
const ENROL_BY_WRITING = /\benrol{1,2}(?:ment|ing)?\b[^.]{0,80}\b(?:write|e-?mail|contact|reply)(?: to)? us\b|\b(?:write|e-?mail|contact|reply)(?: to)? us\b[^.]{0,80}\benrol{1,2}/i;

/** California's smallest type: 10 points, which is 13⅓ CSS pixels (a CSS pixel is 0.75 pt). */
const SMALLEST_POINTS = 10;

/** Every font size the HTML sets, in points; sizes relative to the body are taken against 16 px. */
function fontSizesInPoints(html: string): { declared: string; points: number }[] {
  const toPoints: Record<string, number> = { px: 0.75, pt: 1, em: 12, rem: 12, '%': 0.12 };
  return [...html.matchAll(/font-size\s*:\s*([\d.]+)\s*(px|pt|em|rem|%)/gi)].map((match) => ({
    declared: match[0],
    points: Number(match[1]) * toPoints[match[2].toLowerCase()],
  }));
}

/** As the HTML part prints a variable: LiquidJS's escape. */
const escapeHtml = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;').replaceAll("'", '&#39;');

/** Whether the body lacks `wanted`, as written or as the HTML part escapes it. */
const missingFrom = ({ body }: CheckedBody, wanted: string) => !body.includes(wanted) && !body.includes(escapeHtml(wanted));

/** The first wording any pattern finds in the body. */
const firstFound = ({ body }: CheckedBody, patterns: readonly RegExp[]) => patterns.map((pattern) => pattern.exec(body)?.[0]).find((found) => found !== undefined);

export const CHECKLIST: readonly ChecklistRule[] = [
  {
    id: 'no-unreceived-not-affected',
    variants: 'all',
    source: "a bounce or a later scope run makes it false; the portal's \"was I affected?\" answers the question",
    check: (checked) => {
      const found = firstFound(checked, UNRECEIVED_NOT_AFFECTED);
      return found ? `says that people who do not receive the notice were not affected ("${found}")` : null;
    },
  },
  {
    id: 'no-eu-complaint',
    variants: ['us-ca', 'us-ma', 'ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd', 'default'],
    source: 'the right to complain to a supervisory authority is the GDPR\'s (Art. 77), for readers in the EU/EEA and the UK only',
    check: (checked) => {
      const found = firstFound(checked, EU_SUPERVISORY_AUTHORITY);
      return found ? `names the GDPR's supervisory authority ("${found}") to readers outside the EU/EEA and the UK; print {{ rights }}, which names theirs` : null;
    },
  },
  {
    id: 'authority-named',
    variants: VARIANTS_WITH_AUTHORITY,
    source: "the rules file's notice.content: each regime's readers are told of their own authority",
    check: (checked, _sample, templates, variant) => {
      const authority = templates.regimes[variant]?.authority;
      if (!authority) return `${templates.locale}/regimes.json has no "${variant}" entry naming the authority`;
      return missingFrom(checked, authority) ? `does not name the reader's authority, "${authority}"; print {{ rights }}` : null;
    },
  },
  {
    id: 'no-eszett',
    variants: ['ch-fadp'],
    source: 'Swiss Standard German writes ss, never ß',
    check: (checked, _sample, templates) =>
      new Intl.Locale(templates.locale).language === 'de' && checked.body.includes('ß') ? 'writes ß to Swiss readers; write ss (test {% if variant == \'ch-fadp\' %})' : null,
  },
  {
    id: 'notice-date',
    variants: ['us-ca'],
    source: 'Cal. Civ. Code § 1798.82(d)(2)(C): "the date of the notice"',
    check: (checked, sample, templates) => {
      const date = formatDate(sample.noticeDate!, templates.locale, 'notice date');
      return missingFrom(checked, date) ? `does not state the date of the notice (${date}); print {{ notice_date }}` : null;
    },
  },
  {
    id: 'contact-beside-email',
    variants: ['us-ca'],
    source: 'Cal. Civ. Code § 1798.82(d)(2)(A): "the name and contact information" of the business',
    check: (checked, sample) => {
      const wanted = [sample.contactEmail, sample.shopAddress, ...(sample.contactPhone ? [sample.contactPhone] : [])];
      const missing = wanted.filter((value) => missingFrom(checked, value));
      return missing.length > 0 ? `does not give ${missing.join(', ')} as contact details; print {{ contact_email }}, {{ shop_address }} and {% if contact_phone != blank %}{{ contact_phone }}{% endif %}` : null;
    },
  },
  {
    id: 'type-size',
    variants: ['us-ca'],
    source: 'Cal. Civ. Code § 1798.82(d)(1): text "no smaller than 10-point type"',
    check: ({ part, body }) => {
      const small = part === 'html' ? fontSizesInPoints(body).find(({ points }) => points < SMALLEST_POINTS) : undefined;
      return small ? `sets "${small.declared}", smaller than 10 points (13.5 px); use 14px or more` : null;
    },
  },
  {
    id: 'offer-with-provider',
    variants: ['us-ca', 'us-ma'],
    source: 'Cal. Civ. Code § 1798.82(d)(2)(G) and Mass. Gen. Laws ch. 93H § 3A(a): the offer with "all information necessary" to enrol',
    check: (checked, sample) => {
      const enrolByWriting = firstFound(checked, [ENROL_BY_WRITING]);
      if (enrolByWriting) return `tells the reader to write in to enrol ("${enrolByWriting}"); name the provider and how to enrol: {{ protection_provider }}, {{ protection_enrolment }}`;
      if (!sample.protection) return null;
      const missing = [sample.protection.provider, sample.protection.enrolment].filter((value) => missingFrom(checked, value));
      return missing.length > 0 ? `offers protection without ${missing.join(' and ')}; print {{ protection_provider }} and {{ protection_enrolment }} inside {% if protection_months > 0 %}` : null;
    },
  },
  {
    id: 'parent-company',
    variants: ['us-ma'],
    source: 'Mass. Gen. Laws ch. 93H § 3(b) (St. 2018, c. 444): the name of the parent or affiliated corporation',
    check: (checked, sample) =>
      sample.controllerParent && missingFrom(checked, sample.controllerParent) ? `does not name the parent company (${sample.controllerParent}); print {{ controller_parent }} inside {% if controller_parent != blank %}` : null,
  },
  {
    id: 'code-near-top',
    variants: 'all',
    source: 'a reader who stops early must still see how to check the notice is genuine',
    check: ({ part, body }, sample) => {
      const at = body.indexOf(sample.verificationCode);
      return part === 'text' && at > body.length / 3 ? 'shows the verification code after the first third of the text; put it near the top' : null;
    },
  },
];

export function rulesFor(variant: NoticeVariant): ChecklistRule[] {
  return CHECKLIST.filter((rule) => rule.variants === 'all' || rule.variants.includes(variant));
}
