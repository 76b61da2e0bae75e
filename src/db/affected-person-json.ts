import { sql, type RawBuilder } from 'kysely';
import { CATEGORIES } from '../domain/index.ts';
import type { Dialect } from './connect.ts';

type Sql = RawBuilder<unknown> | ReturnType<typeof sql.ref>;
/** How a value is written: a string, a string or null, a category mask as its list, a number, JSON text as it is. */
type Kind = 'text' | 'nullable' | 'categories' | 'number' | 'json';

/**
 * The SQL of an affected person's JSON text, as the API's list sends them (affectedPersonView in
 * scoping: these keys, in this order, compact, as JSON.stringify writes them), from the columns of
 * their row under `alias`. Scope runs store it on each row (`person_json`; 0041 filled in the rows
 * stored before): a page then reads a hundred texts, where parsing a hundred rows' thirteen fields
 * into objects and writing them as JSON took a PostgreSQL page's server twice the query (bench:api).
 * Writing it costs a run 1.5 µs a person on SQLite, 1.8 on PostgreSQL (a million rows of bench:api's
 * shop). `records` is the SQL of the row's records as compact JSON (by default its column).
 */
export function affectedPersonJson(dialect: Dialect, alias: string, records?: RawBuilder<string>): RawBuilder<string> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const fields: [key: string, kind: Kind, value: Sql][] = [
    ['email', 'text', sql`coalesce(${column('email')}, ${column('subject')})`],
    ['subject', 'text', column('subject')],
    ['name', 'nullable', column('name')],
    ['locale', 'nullable', column('locale')],
    ['country', 'nullable', column('country')],
    ['region', 'nullable', column('region')],
    ['exposed', 'categories', column('exposed')],
    ['not_exposed', 'categories', column('not_exposed')],
    ['first_access', 'text', column('first_access')],
    ['last_access', 'text', column('last_access')],
    ['requests', 'number', column('requests')],
    ['records', 'json', records ?? column('records')],
  ];
  if (dialect === 'sqlite') {
    // json_object writes compact JSON; categories_json (registered by connect.ts) a mask's list.
    const value = (kind: Kind, v: Sql) => (kind === 'categories' ? sql`json(categories_json(${v}))` : kind === 'json' ? sql`json(${v})` : v);
    return sql<string>`json_object(${sql.join(fields.map(([key, kind, v]) => sql`${sql.lit(key)}, ${value(kind, v)}`))})`;
  }
  // PostgreSQL's json_build_object writes spaces (`"a" : 1, "b"`): the text is put together from to_json's quoted values.
  const value = (kind: Kind, v: Sql) =>
    kind === 'text' ? sql`to_json(${v})::text`
    : kind === 'nullable' ? sql`coalesce(to_json(${v})::text, 'null')`
    : kind === 'categories' ? categoryListSql(v)
    : kind === 'number' ? sql`(${v})::text`
    : v;
  const parts = fields.map(([key, kind, v], k) => sql`${sql.lit(`${k === 0 ? '{' : ','}${JSON.stringify(key)}:`)} || ${value(kind, v)}`);
  return sql<string>`(${sql.join(parts, sql` || `)} || '}')`;
}

/** A category mask as the JSON list of its names, in the fixed order (PostgreSQL): as categories_json writes it on SQLite (connect.ts). */
function categoryListSql(mask: Sql): RawBuilder<string> {
  const names = CATEGORIES.map((category, place) => sql`CASE WHEN (${mask} & ${sql.lit(1 << place)}) <> 0 THEN ${sql.lit(JSON.stringify(category))} END`);
  return sql<string>`('[' || concat_ws(',', ${sql.join(names)}) || ']')`;
}
