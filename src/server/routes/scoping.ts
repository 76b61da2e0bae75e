import { z } from 'zod';
import { CATEGORIES } from '../../domain/index.ts';
import { TocsinError } from '../../lib/errors.ts';
import { Readable } from 'node:stream';
import {
  addSuspectToIndicators,
  affectedCsv,
  affectedPage,
  affectedPageJson,
  affectedPersonView,
  type AffectedPersonView,
  type AffectedSubject,
  checkScopeFile,
  diffRuns,
  evidenceFiles,
  evidenceView,
  explainSubject,
  explanationView,
  listScopeRuns,
  planPurge,
  purgeUnaffected,
  purgeView,
  runDiffView,
  scopeRunsView,
  unknownReads,
} from '../../scoping/index.ts';
import { endpoint, JsonText } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

/** The cursor is the page's last subject, opaque to clients so the paging can change without breaking them. */
const encodeCursor = (subject: string) => Buffer.from(subject, 'utf8').toString('base64url');
const cursor = z
  .string()
  .max(1024)
  .regex(/^[A-Za-z0-9_-]*$/, { message: 'not a cursor this server gave' })
  .transform((text) => Buffer.from(text, 'base64url').toString('utf8'))
  .describe('next_cursor of the page before');

/**
 * What someone without personal_data:read sees of a person: enough to count and sort by, not to
 * identify (`j•••@example.com`, the name's initial, no record keys).
 */
export function masked(subject: AffectedSubject): AffectedSubject {
  const at = subject.email.lastIndexOf('@');
  const email = `${subject.email.slice(0, 1)}•••${at > 0 ? subject.email.slice(at) : ''}`;
  return { ...subject, email, subject: email, name: subject.name ? `${subject.name.slice(0, 1)}•••` : null, records: [] };
}

/** Who of the affected people a listing keeps: the page's and the CSV's filters alike. */
const affectedFilters = {
  q: z.string().min(1).max(320).optional().describe('part of the email address (needs personal_data:read)'),
  category: z.enum(CATEGORIES).optional().describe('only people who lost this category'),
  country: z.string().regex(/^[A-Za-z]{2}$/, { message: 'use an ISO 3166-1 country code such as FR' }).optional(),
};

export const affected = endpoint({
  summary: "A page of the latest scope run's affected people, filtered, by email (tocsin affected); personal data masked without personal_data:read",
  params: incidentParams,
  querystring: z.strictObject({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: cursor.optional(),
    ...affectedFilters,
  }),
  handle: async ({ ctx, params, query, can }) => {
    const personal = can('personal_data:read');
    if (query.q !== undefined && !personal) {
      throw new TocsinError('FORBIDDEN', 'searching by email needs personal_data:read; filter by category or country instead', { kind: 'forbidden' });
    }
    const filters = { limit: query.limit, after: query.cursor, q: query.q, category: query.category, country: query.country };
    const nextCursor = (next: string | null) => (next === null ? null : encodeCursor(next));
    if (!personal) {
      const page = await affectedPage(ctx, params.id, filters);
      return { run: page.run, items: page.subjects.map(masked).map(affectedPersonView), next_cursor: nextCursor(page.next) };
    }
    // Unmasked, the page comes as JSON text (SQLite writes it): the same items, without a JavaScript object for each person.
    const page = await affectedPageJson(ctx, params.id, filters);
    return new JsonText<{ run: number; items: AffectedPersonView[]; next_cursor: string | null }>(`{"run":${page.run},"items":${page.items},"next_cursor":${JSON.stringify(nextCursor(page.next))}}`);
  },
});

export const affectedCsvDownload = endpoint({
  summary: "Every one of the latest scope run's affected people under the page's filters, as CSV (tocsin affected), streamed a page at a time",
  params: incidentParams,
  querystring: z.strictObject(affectedFilters),
  handle: async ({ ctx, params, query, reply }) => {
    const { run, chunks } = await affectedCsv(ctx, params.id, query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="affected-${params.id}-run-${run}.csv"`)
      .send(Readable.from(chunks));
  },
});

export const explain = endpoint({
  summary: 'Why one person is, or is not, affected: each attacker request that named their records (tocsin explain)',
  params: incidentParams.extend({ email: z.string().min(1).max(320) }),
  handle: async ({ ctx, params }) => explanationView(await explainSubject(ctx, params.id, params.email)),
});

export const evidence = endpoint({
  summary: 'Every input file of the incident with its SHA-256 (tocsin evidence)',
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: evidenceView(await evidenceFiles(ctx, params.id)) }),
});

export const unknown = endpoint({
  summary: "Values the attacker read that matched no imported record (tocsin unknown); without personal_data:read, only how many (the values and the requests that carry them are people's data)",
  params: incidentParams,
  querystring: z.strictObject({ run: z.coerce.number().int().min(1).optional() }),
  handle: async ({ ctx, params, query, can }) => {
    const { run, reads } = await unknownReads(ctx, params.id, query.run);
    return { run, count: reads.length, reads: can('personal_data:read') ? reads : [] };
  },
});

const runNumber = z.coerce.number().int().min(1).max(1_000_000);

export const diff = endpoint({
  summary: 'Who became or stopped being affected between two scope runs, by default the last two (tocsin scope --diff)',
  params: incidentParams,
  querystring: z.strictObject({
    from: runNumber.optional().describe('the earlier run; the one before `to` when left out'),
    to: runNumber.optional().describe('the later run; the latest when left out'),
  }),
  handle: async ({ ctx, params, query }) => runDiffView(await diffRuns(ctx, params.id, query)),
});

/** A scope file as text, as scope and detect jobs take it. */
const scopeFileText = z.string().max(1_000_000).describe('the scope file (YAML) as text');

export const checkRules = endpoint({
  summary: 'Check a scope file without running it: every problem with its line, or its rules with the record columns they bind',
  body: z.strictObject({ rules: scopeFileText }),
  handle: async ({ body }) => {
    const checked = checkScopeFile(body.rules);
    const rules = checked.scope?.rules.map((rule) => ({ name: rule.name, request: rule.request, columns: rule.columns, exposes: rule.exposes })) ?? [];
    return { problems: checked.problems, rules };
  },
});

export const addIndicators = endpoint({
  summary: "Add a suspect detection found to a scope file's indicators: its address, account and distinctive user agent, and the span it was seen in; gives the file back, its comments kept",
  body: z.strictObject({
    rules: scopeFileText,
    ip: z.string().min(1).max(100).nullable().default(null),
    user_agent: z.string().min(1).max(2000).nullable().default(null).describe("only a user agent detection calls distinctive: a browser's names every customer"),
    account: z.string().min(1).max(500).nullable().default(null),
    first_seen: z.number().int().min(0).describe('epoch milliseconds, as detection gives them'),
    last_seen: z.number().int().min(0),
  }),
  handle: async ({ body }) => ({
    rules: addSuspectToIndicators(body.rules, { ip: body.ip, userAgent: body.user_agent, account: body.account, firstSeen: body.first_seen, lastSeen: body.last_seen }),
  }),
});

export const runs = endpoint({
  summary: "The incident's scope runs, newest first: when, which rules, what each found (tocsin scope --runs)",
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: scopeRunsView(await listScopeRuns(ctx, params.id)) }),
});

export const purgePlan = endpoint({
  summary: 'Who a purge would delete: everyone the latest scope run did not find affected and who has no notice, with their number of records; changes nothing (tocsin purge --unaffected --dry-run)',
  params: incidentParams,
  handle: async ({ ctx, params }) => purgeView(await planPurge(ctx, params.id)),
});

export const purge = endpoint({
  summary: 'Delete the imported data of everyone the latest scope run did not find affected and who has no notice (tocsin purge --unaffected)',
  params: incidentParams,
  body: z.strictObject({ unaffected: z.literal(true).describe('the only purge there is; say it to confirm') }),
  handle: async ({ ctx, params }) => purgeView(await purgeUnaffected(ctx, params.id)),
});
