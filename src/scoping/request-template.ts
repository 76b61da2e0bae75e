/**
 * Request templates of exposure rules: `GET /api/v2/orders/:order_id` or
 * `GET /support/orders/lookup?imei=:imei`. A path segment `:column` or a query parameter
 * `name=:column` binds the value the request carries to a record column.
 */
import { percentDecode } from './percent-decode.ts';

/** A literal path segment (percent-decoded), or one that binds its whole text to a column. */
export type PathSegment = { literal: string } | { column: string };
export type QueryBinding = { parameter: string; column: string };

export type RequestTemplate = {
  method: string;
  /** The segments between the slashes of the path: `/a/:b` is `a`, `:b`. */
  path: PathSegment[];
  query: QueryBinding[];
};

const METHOD = /^[A-Z][A-Z_-]*$/;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function columnOf(binding: string): string | null {
  return binding.startsWith(':') && COLUMN.test(binding.slice(1)) ? binding.slice(1) : null;
}

function parsePath(path: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  for (const segment of path.slice(1).split('/')) {
    if (!segment.startsWith(':')) {
      segments.push({ literal: percentDecode(segment) });
      continue;
    }
    const column = columnOf(segment);
    if (column === null) return `path segment '${segment}' is not a column binding; write :column_name (letters, digits, _)`;
    segments.push({ column });
  }
  return segments;
}

function parseQuery(query: string): QueryBinding[] | string {
  const bindings: QueryBinding[] = [];
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    const parameter = percentDecode(equals < 0 ? part : part.slice(0, equals), true);
    const column = equals < 0 ? null : columnOf(part.slice(equals + 1));
    if (parameter === '' || column === null) {
      return `query part '${part}' must bind a column, as in imei=:imei; other query parameters are ignored when matching, so leave them out`;
    }
    if (bindings.some((binding) => binding.parameter === parameter)) return `query parameter '${parameter}' is bound twice`;
    bindings.push({ parameter, column });
  }
  return bindings;
}

/** The template in `text`, or a string saying what is wrong with it. */
export function parseRequestTemplate(text: string): RequestTemplate | string {
  const words = text.trim().split(/\s+/);
  if (words.length !== 2) return `'${text}' is not a request template; write METHOD /path, as in GET /api/v2/orders/:order_id`;
  const [method, target] = words;
  if (!METHOD.test(method)) return `'${method}' is not an HTTP method; write it in capitals, as in GET`;
  if (!target.startsWith('/')) return `the path '${target}' must start with /`;
  const question = target.indexOf('?');
  const path = parsePath(question < 0 ? target : target.slice(0, question));
  if (typeof path === 'string') return path;
  const query = question < 0 ? [] : parseQuery(target.slice(question + 1));
  if (typeof query === 'string') return query;
  if (query.length === 0 && path.every((segment) => 'literal' in segment)) {
    return `'${text}' binds no record column; name one in a path segment (/orders/:order_id) or a query parameter (?imei=:imei)`;
  }
  return { method, path, query };
}

/** The record columns a template binds, in order, each once. */
export function boundColumns(template: RequestTemplate): string[] {
  const columns = [
    ...template.path.flatMap((segment) => ('column' in segment ? [segment.column] : [])),
    ...template.query.map((binding) => binding.column),
  ];
  return [...new Set(columns)];
}

/** What the decoded path of every request matching the template starts with: its literal segments up to the first bound one (`/api/v2/orders/`). */
export function literalPathPrefix(template: RequestTemplate): string {
  let prefix = '';
  for (const segment of template.path) {
    prefix += '/';
    if ('column' in segment) break;
    prefix += segment.literal;
  }
  return prefix;
}
