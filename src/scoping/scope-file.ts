/**
 * The scope file: exposure rules (which requests reveal which records and data categories)
 * and indicators (what identifies the attacker's requests), written by the responder:
 *
 *   rules:
 *     - name: order-api
 *       request: GET /api/v2/orders/:order_id
 *       exposes: [name, email, phone, postal_address, payment_card_last4]
 *       status: [200]                 # optional; any 2xx when left out
 *   indicators:                       # optional until known (detection suggests them)
 *     ips: ["198.51.100.7", "203.0.113.0/24", "2001:db8:bad::/48"]
 *     user_agents: ["python-requests/*"]
 *     accounts: []
 *     from: 2019-10-30T00:00:00Z      # inclusive; a zone is required
 *     until: 2019-11-13T23:59:59Z     # inclusive, to the end of that second
 *
 * Every problem is reported at once, each with its line and what to write instead.
 */
import { LineCounter, isMap, isSeq, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { invalidInput } from '../lib/errors.ts';
import { CATEGORIES, type Category, isCategory, sortCategories } from '../domain/index.ts';
import { parseIsoInstant } from '../evidence/index.ts';
import { parseNetwork } from '../lib/ip-address.ts';
import { boundColumns, parseRequestTemplate, type RequestTemplate } from './request-template.ts';

export type Rule = RequestTemplate & {
  name: string;
  /** The template as written. */
  request: string;
  /** The record columns the template binds. */
  columns: string[];
  exposes: Category[];
  /** The statuses that reveal the record; null for any 2xx. */
  status: number[] | null;
};

/** A request is the attacker's when it matches any of ips, userAgents or accounts and its time lies in from…until. */
export type Indicators = {
  /** Addresses and networks, IPv4 or IPv6, as written. */
  ips: string[];
  /** Globs: `*` any text, `?` one character. */
  userAgents: string[];
  /** Authenticated user ids, as the log records them. */
  accounts: string[];
  /** Epoch milliseconds, both inclusive; null when not bounded. */
  from: number | null;
  until: number | null;
};

export type ScopeFile = { rules: Rule[]; indicators: Indicators | null };

// The failsafe schema reads every scalar as text: times never turn into Dates, account ids
// keep their leading zeros, and each value is checked here with a message of our own. Checks
// sit on the values they check, so that one wrong value does not hide another.
const text = z.string({ error: (issue) => (issue.input === undefined ? 'is missing' : 'expected a single value, not a list or mapping') });
const listOf = <T extends z.ZodType>(item: T) => z.array(item, { error: (issue) => (issue.input === undefined ? 'is missing' : 'expected a list, as in [a, b]') });

const category = text.refine(isCategory, { error: (issue) => `unknown category '${String(issue.input)}'; use one of: ${CATEGORIES.join(', ')}` });
const statusCode = text
  .refine((code) => /^[1-5][0-9][0-9]$/.test(code), { error: (issue) => `'${String(issue.input)}' is not an HTTP status code; list codes, as in [200, 206]` })
  .transform(Number);
const template = text.superRefine((request, ctx) => {
  const parsed = parseRequestTemplate(request);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});
const network = text.superRefine((ip, ctx) => {
  const parsed = parseNetwork(ip);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});
const nonEmpty = text.min(1, 'must not be empty');

/**
 * Epoch milliseconds of an ISO 8601 time with a zone. A bound given to the second covers that
 * whole second when it ends a window: `until: …23:59:59Z` includes 23:59:59.5.
 */
const instant = (endOfSecond: boolean) =>
  text.transform((value, ctx) => {
    const bytes = Buffer.from(value, 'utf8');
    const ms = parseIsoInstant(bytes, 0, bytes.length);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not a time with a zone; write it as 2019-10-30T00:00:00Z or 2019-10-30T08:00:00+08:00` });
      return z.NEVER;
    }
    const hasFraction = bytes[19] === 0x2e || bytes[19] === 0x2c;
    return endOfSecond && !hasFraction ? ms + 999 : ms;
  });

const ruleSchema = z
  .strictObject(
    {
      name: nonEmpty,
      request: template,
      exposes: listOf(category).min(1, 'must list at least one data category'),
      status: listOf(statusCode).min(1, 'must list at least one status, or be left out for any 2xx').optional(),
    },
    { error: 'expected a mapping with name, request, exposes and optionally status' },
  )
  .transform((rule): Rule => {
    const parsed = parseRequestTemplate(rule.request) as RequestTemplate;
    return { name: rule.name, request: rule.request, ...parsed, columns: boundColumns(parsed), exposes: sortCategories(rule.exposes), status: rule.status ?? null };
  });

const indicatorsSchema = z
  .strictObject(
    {
      ips: listOf(network).default([]),
      user_agents: listOf(nonEmpty).default([]),
      accounts: listOf(nonEmpty).default([]),
      from: instant(false).optional(),
      until: instant(true).optional(),
    },
    { error: 'expected a mapping with ips, user_agents, accounts, from and until' },
  )
  .superRefine((raw, ctx) => {
    if (raw.ips.length + raw.user_agents.length + raw.accounts.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'list at least one of ips, user_agents or accounts, or leave indicators out' });
    }
    if (raw.from !== undefined && raw.until !== undefined && raw.from > raw.until) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'ends before from; the window runs from from to until' });
    }
  })
  .transform(
    (raw): Indicators => ({ ips: raw.ips, userAgents: raw.user_agents, accounts: raw.accounts, from: raw.from ?? null, until: raw.until ?? null }),
  );

const rulesSchema = listOf(ruleSchema)
  .min(1, 'must list at least one rule')
  .superRefine((rules, ctx) => {
    const names = new Set<string>();
    // Runs even when some rules are malformed, so that a duplicate name is reported with them.
    rules.forEach((rule: Partial<Rule> | null, index) => {
      if (typeof rule?.name !== 'string') return;
      if (names.has(rule.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `a rule named '${rule.name}' is already defined; give each rule its own name` });
      names.add(rule.name);
    });
  });

const scopeSchema = z
  .strictObject({ rules: rulesSchema, indicators: indicatorsSchema.optional() }, { error: 'expected a mapping with rules and optionally indicators' })
  .transform((raw): ScopeFile => ({ rules: raw.rules, indicators: raw.indicators ?? null }));

type Path = readonly (string | number)[];
type Problem = { path: Path; message: string };

/** One thing wrong in a scope file, at its line (1-based), in words safe to show (control characters escaped, long quotes cut). */
export type ScopeFileProblem = { line: number; message: string };

/** The scope file `text` checked: what it says, or every problem in it with its line, in the order of the lines. */
export function checkScopeFile(text: string): { scope: ScopeFile; problems: [] } | { scope: null; problems: ScopeFileProblem[] } {
  const problems = scopeFileProblems(text);
  if ('scope' in problems) return { scope: problems.scope, problems: [] };
  return { scope: null, problems: problems.found.map(({ line, message }) => ({ line, message: asShown(message) })) };
}

/** Parses and checks the scope file `text`; `fileName` names it in errors. Throws a usage error listing every problem. */
export function parseScopeFile(text: string, fileName: string): ScopeFile {
  const checked = checkScopeFile(text);
  if (checked.scope) return checked.scope;
  throw invalid(fileName, checked.problems);
}

function scopeFileProblems(text: string): { scope: ScopeFile } | { found: ScopeFileProblem[] } {
  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  // YAML allows no control characters but tab and line ends: a file with them is something else
  // (a log, a gzip file, an image), and its bytes make no message worth reading.
  const binary = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.exec(text);
  if (binary) {
    const what = binary[0] === '\ufffd' ? 'bytes that are not UTF-8' : `the control character 0x${binary[0].charCodeAt(0).toString(16).padStart(2, '0')}`;
    const line = text.slice(0, binary.index).split('\n').length;
    return { found: [{ line, message: `${what}: this is not a YAML scope file; give --rules the file with rules: and indicators:` }] };
  }
  const doc = parseDocument(text, { lineCounter, schema: 'failsafe' });
  if (doc.errors.length > 0) {
    return { found: doc.errors.map((error) => ({ line: lineAt(error.pos[0]), message: error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '') })) };
  }
  if (doc.contents === null) return { found: [{ line: 1, message: 'the file is empty; it needs a rules: list' }] };

  const plain = toJS(doc, lineAt);
  if ('found' in plain) return plain;
  const parsed = scopeSchema.safeParse(plain.value);
  if (parsed.success) return { scope: parsed.data };
  const problems = parsed.error.issues.flatMap((issue): Problem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...(issue.path as Path), key], message: `unknown key '${key}'${expectedKeys(issue.path)}` }))
      : [{ path: issue.path as Path, message: issue.message }],
  );
  const located = problems.map((problem) => ({ line: lineAt(offsetOf(doc.contents, problem.path)), ...problem }));
  located.sort((a, b) => a.line - b.line);
  return { found: located.map(({ line, path, message }) => ({ line, message: `${formatPath(path)}${message}` })) };
}

/** The record columns the rules bind, each once: what the record import must keep searchable. */
export function ruleColumns(scope: ScopeFile): string[] {
  return [...new Set(scope.rules.flatMap((rule) => rule.columns))];
}

/**
 * The document as plain values. Aliases that expand into more copies than YAML's own limit (a
 * "billion laughs" file) are refused at the first alias, rather than filling the memory; an
 * alias with no anchor before it, at itself.
 */
function toJS(doc: Document, lineAt: (offset: number) => number): { value: unknown } | { found: ScopeFileProblem[] } {
  try {
    return { value: doc.toJS() };
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const excessive = error.message.startsWith('Excessive alias count');
    let culprit: Alias | undefined;
    visit(doc, {
      Alias(_, alias) {
        if (!excessive && alias.resolve(doc)) return;
        culprit = alias;
        return visit.BREAK;
      },
    });
    if (!culprit) throw error;
    const message = excessive
      ? 'its aliases (*name) expand into too many copies of their values; write the values out instead'
      : `*${culprit.source} names no anchor before it; mark the value first with &${culprit.source}`;
    return { found: [{ line: lineAt(culprit.range?.[0] ?? 0), message }] };
  }
}

/** Problems shown at most: a file that is all wrong needs the first ones fixed, not a thousand lines. */
const MAX_PROBLEMS = 20;
/** Longer quotes of the file are cut: the message shows where, the file itself what. */
const MAX_QUOTE = 60;

function invalid(fileName: string, problems: readonly ScopeFileProblem[]) {
  const shown = problems.slice(0, MAX_PROBLEMS).map(({ line, message }) => `${fileName} line ${line}: ${message}`);
  if (problems.length > MAX_PROBLEMS) shown.push(`${fileName}: ${problems.length - MAX_PROBLEMS} more problems`);
  return invalidInput('SCOPE_FILE_INVALID', shown.join('\n'));
}

/** A message with the file's text quoted in it made safe for a terminal (control characters escaped) and short. */
function asShown(message: string): string {
  const escaped = message.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.replace(/(['"])([^'"]{60,}?)\1/g, (quote, mark: string, inner: string) => (inner.length > MAX_QUOTE ? `${mark}${inner.slice(0, MAX_QUOTE)}…${mark}` : quote));
}

function expectedKeys(path: readonly PropertyKey[]): string {
  const shape = path.length === 0 ? scopeSchema.in.shape : path[0] === 'rules' ? ruleSchema.in.shape : indicatorsSchema.in.shape;
  return `; expected one of: ${Object.keys(shape).join(', ')}`;
}

function formatPath(path: Path): string {
  const text = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
  return text === '' ? '' : `${text}: `;
}

/** Where the node at `path` starts (for a mapping entry: its key), or its nearest ancestor when it is missing. */
function offsetOf(root: unknown, path: Path): number {
  let node = root as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof key === 'number' && key < node.items.length) {
      node = node.items[key] as Node | null;
      offset = node?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}
