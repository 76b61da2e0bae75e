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
 * The snake_case of the keys views have met: a page of a hundred people is a thousand keys of a
 * dozen names, and rewriting each with a regular expression, and building each object from an array of
 * entries, were a fifth of the page's time.
 * Bounded, as keys come from code, not data.
 */
const snakeKeys = new Map<string, string>();
const SNAKE_KEYS_KEPT = 1024;

/**
 * The object with its own keys in snake_case (one level: views map nested objects with their own
 * view, so that keys which are data, such as locales or variant names, are never rewritten).
 */
export function snakeCaseKeys<T extends object>(value: T): SnakeCaseKeys<T> {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const snake = snakeKey(key);
    const inner = (value as Record<string, unknown>)[key];
    // A key named __proto__ stays a key, as Object.fromEntries would make it.
    if (snake === '__proto__') Object.defineProperty(result, snake, { value: inner, enumerable: true, writable: true, configurable: true });
    else result[snake] = inner;
  }
  return result as SnakeCaseKeys<T>;
}

function snakeKey(key: string): string {
  let snake = snakeKeys.get(key);
  if (snake === undefined) {
    snake = snakeCase(key);
    if (snakeKeys.size < SNAKE_KEYS_KEPT) snakeKeys.set(key, snake);
  }
  return snake;
}
