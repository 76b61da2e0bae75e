import { DETECTORS, type Forbiddable } from './notice-forbidden.ts';
import type { JurisdictionRules } from './rules/schema.ts';

export interface NoticeProblem {
  rule: 'title' | 'heading' | 'must-mention' | 'forbidden';
  /** The title, heading or phrase missing, or the forbidden element found. */
  item: string;
  message: string;
  /** What was found, for forbidden elements. */
  excerpt?: string;
}

export interface NoticeCheck {
  ok: boolean;
  problems: NoticeProblem[];
}

/**
 * Checks a notice against a jurisdiction's content rules: its required title, headings and phrases
 * present, its forbidden elements absent. `content` may be a rendered notice (text or HTML) or a
 * template's source, where variables such as `{{ affected_count }}` count as stating the thing.
 */
export function checkNoticeContent(rules: Pick<JurisdictionRules, 'name' | 'notice'>, content: string): NoticeCheck {
  const text = plainText(content);
  const { notice, name } = rules;
  const problems: NoticeProblem[] = [];

  if (notice.title !== undefined && !contains(text, notice.title)) {
    problems.push({ rule: 'title', item: notice.title, message: `${name} notices must be titled "${notice.title}"` });
  }
  for (const heading of notice.headings) {
    if (!contains(text, heading)) problems.push({ rule: 'heading', item: heading, message: `${name} notices must have the heading "${heading}"` });
  }
  for (const phrase of notice.must_mention) {
    if (!contains(text, phrase)) problems.push({ rule: 'must-mention', item: phrase, message: `${name} notices must mention "${phrase}"` });
  }
  for (const forbidden of notice.forbids) {
    const excerpt = findForbidden(forbidden, content, text);
    if (excerpt !== null) {
      problems.push({ rule: 'forbidden', item: forbidden, message: `${name} notices must not state ${DETECTORS[forbidden].describe}`, excerpt });
    }
  }
  return { ok: problems.length === 0, problems };
}

function findForbidden(forbidden: Forbiddable, source: string, text: string): string | null {
  const { variables, phrases } = DETECTORS[forbidden];
  const variable = new RegExp(String.raw`\{[{%]-?[^}]*\b(?:${variables.join('|')})\b[^}]*[%}]\}`);
  const found = variable.exec(source) ?? phrases.map((phrase) => phrase.exec(text)).find((match) => match !== null);
  return found ? found[0].trim().slice(0, 120) : null;
}

function contains(text: string, wanted: string): boolean {
  return fold(text).includes(fold(wanted));
}

function fold(value: string): string {
  return value.replace(/\s+/g, ' ').toLowerCase();
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** Text as a reader sees it: block elements become line breaks, other markup goes. */
function plainText(content: string): string {
  return content
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\/?(?:p|div|h[1-6]|li|tr|br|title|section|header|footer)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|apos|#39);/g, (_, entity: string) => ENTITIES[entity])
    .replace(/[ \t\u00a0]+/g, ' ');
}
