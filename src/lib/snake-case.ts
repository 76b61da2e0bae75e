/** A camelCase name in snake_case, as a type: `firstSentAt` → `first_sent_at`. */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/** An object's keys in snake_case, the wire casing of every JSON Tocsin writes; its values as they are. */
export type SnakeCaseKeys<T> = { [K in keyof T as K extends string ? SnakeCase<K> : K]: T[K] };

export function snakeCase<S extends string>(name: S): SnakeCase<S> {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) as SnakeCase<S>;
}

/**
 * The object with its own keys in snake_case (one level: views map nested objects with their own
 * view, so that keys which are data, such as locales or variant names, are never rewritten).
 */
export function snakeCaseKeys<T extends object>(value: T): SnakeCaseKeys<T> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [snakeCase(key), inner])) as SnakeCaseKeys<T>;
}
