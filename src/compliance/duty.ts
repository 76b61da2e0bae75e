import { type Category, sortCategories } from '../domain/index.ts';
import type { DutyRules, Trigger } from './rules/schema.ts';
import { countSubjects, type SubjectGroup } from './subject-group.ts';

/** `assess` when the duty turns on a risk only a human can weigh (GDPR Art. 34's "high risk"). */
export type Duty = 'required' | 'not-required' | 'assess';

export interface Verdict {
  duty: Duty;
  reasons: string[];
}

/** The jurisdiction's trigger as one duty sees it: the duty's `when` overrides keys of it. */
export function triggerFor(base: Trigger, rules: Pick<DutyRules, 'when'>): Trigger {
  return { ...base, ...rules.when };
}

/**
 * Whether a duty's law is in force for this breach. The commencement the rules assume is always stated,
 * with its source. Where an earlier one has been proposed (India's DPDP Rules: 13 May 2027 as notified,
 * 13 November 2026 proposed), a breach between the two is "assess" until the user confirms the date.
 */
export function commencement(
  rules: Pick<DutyRules, 'in_force_from' | 'in_force_proposed' | 'in_force_text'>,
  awareAt: string,
  confirmed: string | undefined,
): { verdict: Verdict | null; reason: string | null } {
  const assumed = rules.in_force_from;
  if (assumed === undefined) return { verdict: null, reason: null };
  const day = awareAt.slice(0, 10);
  const from = confirmed ?? assumed;
  const reason = confirmed
    ? `in force from ${confirmed}, the commencement given with --in-force-from`
    : `in force from ${assumed}, the commencement Tocsin assumes (${rules.in_force_text ?? 'see the sources'}); if another date is confirmed, assess again with it as in-force-from CODE=DATE`;
  if (day >= from) return { verdict: null, reason };
  if (!confirmed && rules.in_force_proposed !== undefined && day >= rules.in_force_proposed) {
    const why = `an earlier commencement, ${rules.in_force_proposed}, has been proposed, and this breach counts from ${day}: until the date is confirmed, counsel must check whether this duty applies`;
    return { verdict: { duty: 'assess', reasons: [reason, why] }, reason };
  }
  return { verdict: { duty: 'not-required', reasons: [reason, `this breach counts from ${day}, before it`] }, reason };
}

/** `people` names whom the groups count: a jurisdiction's residents, or everyone affected for a sector regime. */
export function judge(trigger: Trigger, groups: readonly SubjectGroup[], people = 'residents'): Verdict {
  const total = countSubjects(groups);
  if (total === 0) return { duty: 'not-required', reasons: ['no residents of this jurisdiction are affected'] };

  const exposed = sortCategories(groups.flatMap((group) => group.exposed));
  const combinations = trigger.categories === 'any' ? null : trigger.categories;
  const matched = combinations ? groups.filter((group) => matchesAny(combinations, group.exposed)) : groups;
  const affected = countSubjects(matched);
  const threshold = trigger.at_least ?? 1;

  if (affected >= threshold) {
    const what = combinations ? matchedCombinations(combinations, matched).join(' or ') : `personal data (${list(exposed)})`;
    return byTest(trigger, `${affected} of ${total} ${people} had ${what} exposed${threshold > 1 ? `; the duty starts at ${threshold}` : ''}`);
  }
  if (trigger.scale_at_least && total >= trigger.scale_at_least) {
    return byTest(trigger, `${total} ${people} had personal data exposed; ${trigger.scale_at_least} or more makes it notifiable whatever the data`);
  }
  const why =
    affected > 0
      ? `${affected} ${people} are affected; this duty starts at ${threshold}`
      : `the data exposed here (${list(exposed)}) matches none of the combinations that trigger it (${(combinations ?? []).map(combination).join('; ')})`;
  if (trigger.otherwise === 'assess') return { duty: 'assess', reasons: [why, trigger.otherwise_text ?? trigger.test_text] };
  return { duty: 'not-required', reasons: [why] };
}

function byTest(trigger: Trigger, match: string): Verdict {
  return { duty: trigger.test === 'risk' ? 'assess' : 'required', reasons: [match, trigger.test_text] };
}

function matchesAny(combinations: readonly (readonly Category[])[], exposed: readonly Category[]): boolean {
  return combinations.some((needed) => needed.every((category) => exposed.includes(category)));
}

function matchedCombinations(combinations: readonly (readonly Category[])[], groups: readonly SubjectGroup[]): string[] {
  return combinations
    .filter((needed) => groups.some((group) => needed.every((category) => group.exposed.includes(category))))
    .map(combination);
}

function combination(categories: readonly Category[]): string {
  return categories.join(' + ');
}

function list(categories: readonly Category[]): string {
  return categories.join(', ');
}
