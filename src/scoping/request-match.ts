/**
 * Matches requests against the rules' templates. A request matches a rule when its method is
 * the rule's (HEAD is not GET), its percent-decoded path has the template's segments, and every
 * bound query parameter is present with a value (in any order; other parameters are ignored).
 * Each bound value names records in its column; a parameter given twice names two.
 */
import { percentDecode } from './percent-decode.ts';
import { literalPathPrefix, type PathSegment } from './request-template.ts';
import type { Rule } from './scope-file.ts';

export type Binding = { rule: Rule; column: string; value: string };

/** The bindings a request makes, one per bound value of each matching rule; empty when it matches none. */
export type RequestMatcher = (method: string, target: string) => readonly Binding[];

/** A rule as matched: its path's literal prefix, then the segments that follow it. */
type CompiledRule = { rule: Rule; prefix: string; rest: readonly PathSegment[] };

const NONE: readonly Binding[] = [];

/** Where the path of a request target starts: after the host of an absolute-form target (`http://host/path`); -1 when it has none. */
function pathStart(target: string): number {
  if (target.charCodeAt(0) === 0x2f) return 0;
  const scheme = target.indexOf('://');
  return scheme < 0 ? -1 : target.indexOf('/', scheme + 3);
}

function compile(rule: Rule): CompiledRule {
  const prefix = literalPathPrefix(rule);
  // The prefix holds the literal segments before the first bound one.
  const literals = rule.path.findIndex((segment) => 'column' in segment);
  return { rule, prefix, rest: literals < 0 ? [] : rule.path.slice(literals) };
}

/** Adds the path bindings of a rule to `into` when the path after its prefix fits; false when it does not. */
function matchRest({ rule, rest }: CompiledRule, after: string, into: Binding[]): boolean {
  if (rest.length === 0) return after === '';
  const segments = after.split('/');
  if (segments.length !== rest.length) return false;
  for (let i = 0; i < segments.length; i++) {
    const segment = rest[i];
    if ('literal' in segment ? segments[i] !== segment.literal : segments[i] === '') return false;
  }
  for (let i = 0; i < segments.length; i++) {
    const segment = rest[i];
    if ('column' in segment) into.push({ rule, column: segment.column, value: segments[i] });
  }
  return true;
}

/** Adds the values of `parameter` in a query string, decoded, to `into`; false when it has none. */
function addQueryValues(rule: Rule, column: string, parameter: string, query: string, into: Binding[]): boolean {
  const before = into.length;
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    if (equals < 0 || equals === part.length - 1 || percentDecode(part.slice(0, equals), true) !== parameter) continue;
    into.push({ rule, column, value: percentDecode(part.slice(equals + 1), true) });
  }
  return into.length > before;
}

export function compileRules(rules: readonly Rule[]): RequestMatcher {
  const methods = new Set(rules.map((rule) => rule.method));
  const compiled = rules.map(compile);
  return (method, target) => {
    if (!methods.has(method)) return NONE;
    const start = pathStart(target);
    if (start < 0) return NONE;
    const hash = target.indexOf('#', start);
    const end = hash < 0 ? target.length : hash;
    const question = target.indexOf('?', start);
    const pathEnd = question >= 0 && question < end ? question : end;
    const path = percentDecode(target.slice(start, pathEnd));
    let bindings: Binding[] | null = null;
    for (const candidate of compiled) {
      // Most requests fail here, before anything is split.
      const { rule, prefix } = candidate;
      if (rule.method !== method || !path.startsWith(prefix)) continue;
      const found: Binding[] = [];
      let matches = matchRest(candidate, path.slice(prefix.length), found);
      for (let i = 0; matches && i < rule.query.length; i++) {
        matches = addQueryValues(rule, rule.query[i].column, rule.query[i].parameter, target.slice(pathEnd + 1, end), found);
      }
      if (matches) (bindings ??= []).push(...found);
    }
    return bindings ?? NONE;
  };
}
