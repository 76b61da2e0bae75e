import { sortCategories, type Category } from '../records/categories.ts';
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

/** Laws not yet in force for this breach: the Indian DPDP Rules' breach duties start on 13 May 2027. */
export function notYetInForce(rules: Pick<DutyRules, 'in_force_from'>, awareAt: string): Verdict | null {
  const from = rules.in_force_from;
  if (from === undefined || awareAt.slice(0, 10) >= from) return null;
  return { duty: 'not-required', reasons: [`this duty applies to breaches from ${from}; Tocsin counts this one from ${awareAt.slice(0, 10)}`] };
}

/**
 * Duties that fall only on a regulator's licensees (DFS under 23 NYCRR 500): not required unless the
 * incident says the controller is one, and then judged as any other duty, saying why it applies.
 */
export function byRegulator(rules: Pick<DutyRules, 'regulated_by'>, regulatedBy: readonly string[], verdict: () => Verdict): Verdict {
  const regulator = rules.regulated_by;
  if (regulator === undefined) return verdict();
  if (!regulatedBy.includes(regulator)) {
    return {
      duty: 'not-required',
      reasons: [`only for controllers regulated by ${regulator}, and the incident does not name it; if the controller is, 'tocsin incident update ID --regulated-by ${regulator}'`],
    };
  }
  const { duty, reasons } = verdict();
  return { duty, reasons: [`the controller is regulated by ${regulator}`, ...reasons] };
}

export function judge(trigger: Trigger, groups: readonly SubjectGroup[]): Verdict {
  const total = countSubjects(groups);
  if (total === 0) return { duty: 'not-required', reasons: ['no residents of this jurisdiction are affected'] };

  const exposed = sortCategories(groups.flatMap((group) => group.exposed));
  const combinations = trigger.categories === 'any' ? null : trigger.categories;
  const matched = combinations ? groups.filter((group) => matchesAny(combinations, group.exposed)) : groups;
  const affected = countSubjects(matched);
  const threshold = trigger.at_least ?? 1;

  if (affected >= threshold) {
    const what = combinations ? matchedCombinations(combinations, matched).join(' or ') : `personal data (${list(exposed)})`;
    return byTest(trigger, `${affected} of ${total} residents had ${what} exposed${threshold > 1 ? `; the duty starts at ${threshold}` : ''}`);
  }
  if (trigger.scale_at_least && total >= trigger.scale_at_least) {
    return byTest(trigger, `${total} residents had personal data exposed; ${trigger.scale_at_least} or more makes it notifiable whatever the data`);
  }
  const why =
    affected > 0
      ? `${affected} residents are affected; this duty starts at ${threshold}`
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
