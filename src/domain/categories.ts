/**
 * The data categories a record's fields are classified into. The list is fixed so that
 * notices, reports and rules all speak of the same things; README documents each one.
 * New categories go at the end: a category's place is its bit in stored masks (categoryBit).
 */
export const CATEGORIES = [
  'name',
  'email',
  'phone',
  'postal_address',
  'date_of_birth',
  'national_id',
  'payment_card_number',
  'payment_card_last4',
  'bank_account',
  'password_hash',
  'security_qa',
  'device_id',
  'order_history',
  'health',
  'geolocation',
] as const;

export type Category = (typeof CATEGORIES)[number];

const KNOWN: ReadonlySet<string> = new Set(CATEGORIES);

export function isCategory(value: string): value is Category {
  return KNOWN.has(value);
}

/** Categories in the fixed order of CATEGORIES, without repeats: stable output for diffs and tests. */
export function sortCategories(categories: Iterable<Category>): Category[] {
  const present = new Set(categories);
  return CATEGORIES.filter((category) => present.has(category));
}

const BITS: ReadonlyMap<Category, number> = new Map(CATEGORIES.map((category, index) => [category, 1 << index]));

/** The category's bit in a mask of categories, as records store what they hold. */
export function categoryBit(category: Category): number {
  return BITS.get(category)!;
}

/** The mask of the given categories. */
export function categoryMask(categories: Iterable<Category>): number {
  let mask = 0;
  for (const category of categories) mask |= categoryBit(category);
  return mask;
}

/** The categories of a mask, in the fixed order. */
export function categoriesOf(mask: number): Category[] {
  // By place rather than through categoryBit: an API page of affected people takes two masks a person.
  const categories: Category[] = [];
  for (let place = 0; place < CATEGORIES.length; place++) if ((mask & (1 << place)) !== 0) categories.push(CATEGORIES[place]);
  return categories;
}

/** The mask of the categories a record has a value for. */
export function heldMask(fields: Partial<Record<Category, string>>): number {
  let mask = 0;
  for (const category in fields) if (fields[category as Category]) mask |= categoryBit(category as Category);
  return mask;
}
