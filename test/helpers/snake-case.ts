/**
 * Objects whose keys are data, not field names: templates by variant (`us-ca`), counts by locale
 * (`fr-FR`) and by notice state, narratives by locale, a column map by the export's column names.
 */
const KEYED_BY_DATA = new Set(['variants', 'locales', 'narratives', 'mapping']);
const SNAKE_CASE = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** Every key of a JSON value, at every depth, that is not snake_case, with its path. */
export function notSnakeCase(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => notSnakeCase(item, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(SNAKE_CASE.test(key) ? [] : [`${path}.${key}`]),
    ...(KEYED_BY_DATA.has(key) ? Object.values(inner as object).flatMap((item) => notSnakeCase(item, `${path}.${key}.*`)) : notSnakeCase(inner, `${path}.${key}`)),
  ]);
}
