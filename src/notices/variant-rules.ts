import { jurisdictionOf, type JurisdictionRules, type NoticeRules, type RuleBook, type SubjectGroup, UNKNOWN_REGION } from '../compliance/index.ts';
import type { NoticeVariant } from '../db/index.ts';

/** The variant a person's notice is written in: the one the rules of the place they live in name. */
export function variantFor(place: Pick<SubjectGroup, 'country' | 'region'>, book: RuleBook): NoticeVariant {
  return book.rulesFor(jurisdictionOf(place, book)).notice.variant;
}

/**
 * For each variant, the jurisdictions whose notices it writes and whose content rules it must
 * therefore meet. Jurisdictions with nothing checkNoticeContent could check are left out.
 */
export function jurisdictionsByVariant(book: RuleBook): ReadonlyMap<NoticeVariant, readonly JurisdictionRules[]> {
  const byVariant = new Map<NoticeVariant, JurisdictionRules[]>();
  // Every place without a rules file of its own gets the same fallback rules: check them once.
  for (const rules of [...book.jurisdictions.values(), book.rulesFor(UNKNOWN_REGION)]) {
    if (hasCheckableContent(rules.notice)) byVariant.set(rules.notice.variant, [...(byVariant.get(rules.notice.variant) ?? []), rules]);
  }
  return byVariant;
}

function hasCheckableContent(notice: NoticeRules): boolean {
  return notice.title !== undefined || notice.headings.length > 0 || notice.must_mention.length > 0 || notice.forbids.length > 0;
}
