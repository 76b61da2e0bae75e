/**
 * Request templates of exposure rules: `GET /api/v2/orders/:order_id` or
 * `GET /support/orders/lookup?imei=:imei`. A path segment `:column` or a query parameter
 * `name=:column` binds the value the request carries to a record column; a column whose name
 * is not a plain identifier, as exports name them (`Order ID`, `Lineitem sku`), is written in
 * braces: `:{Order ID}`.
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
/** Any column name in braces, but not braces themselves, control characters or blanks at its ends. */
const BRACED_COLUMN = /^\{([^{}\p{Cc}\s](?:[^{}\p{Cc}]*[^{}\p{Cc}\s])?)\}$/u;
const BINDING_HINT = 'write :column_name (letters, digits, _), or any column name in braces, as in :{Order ID}';

function columnOf(binding: string): string | null {
  if (!binding.startsWith(':')) return null;
  const name = binding.slice(1);
  if (COLUMN.test(name)) return name;
  return BRACED_COLUMN.exec(name)?.[1] ?? null;
}

/** `text` cut at each `separator` that is not inside braces: a braced column name may hold any character but braces. */
function splitOutsideBraces(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth = Math.max(0, depth - 1);
    else if (text[i] === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parsePath(path: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  for (const segment of splitOutsideBraces(path.slice(1), '/')) {
    if (!segment.startsWith(':')) {
      segments.push({ literal: percentDecode(segment) });
      continue;
    }
    const column = columnOf(segment);
    if (column === null) return `path segment '${segment}' is not a column binding; ${BINDING_HINT}`;
    segments.push({ column });
  }
  return segments;
}

function parseQuery(query: string): QueryBinding[] | string {
  const bindings: QueryBinding[] = [];
  for (const part of splitOutsideBraces(query, '&')) {
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

/** The method and the target of `METHOD /path`, where the target's blanks may stand only inside a braced column name. */
function splitTemplate(text: string): [method: string, target: string] | null {
  const match = /^(\S+)\s+(\S.*)$/.exec(text.trim());
  if (!match || /\s/.test(match[2].replace(/\{[^{}]*\}/g, ''))) return null;
  return [match[1], match[2]];
}

/** The template in `text`, or a string saying what is wrong with it. */
export function parseRequestTemplate(text: string): RequestTemplate | string {
  const words = splitTemplate(text);
  if (!words) return `'${text}' is not a request template; write METHOD /path, as in GET /api/v2/orders/:order_id`;
  const [method, target] = words;
  if (!METHOD.test(method)) return `'${method}' is not an HTTP method; write it in capitals, as in GET`;
  if (!target.startsWith('/')) return `the path '${target}' must start with /`;
  const [pathPart, ...queryParts] = splitOutsideBraces(target, '?');
  const path = parsePath(pathPart);
  if (typeof path === 'string') return path;
  const query = queryParts.length === 0 ? [] : parseQuery(queryParts.join('?'));
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
