import { COUNTRIES, type Country } from './people.ts';
import { Random, STREAM, Weighted } from './random.ts';

export interface Customer {
  country: Country;
  name: string;
  /** The spellings of their email this customer types at checkout: one, or a lower-case and a capitalized one. */
  emails: readonly string[];
  phone: string;
  address: string;
  region: string;
  locale: string;
}

const countries = new Weighted(COUNTRIES.map((country) => [country, country.weight] as const));

/** Name parts as they appear in email addresses: `Lefèvre` → `lefevre`, `O'Brien` → `obrien`. */
const folded = new Map<string, string>();
function fold(name: string): string {
  let result = folded.get(name);
  if (result === undefined) {
    result = name
      .replaceAll('ß', 'ss')
      .replaceAll('ł', 'l')
      .replaceAll('Ł', 'L')
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
    folded.set(name, result);
  }
  return result;
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * Local parts end in a number unique to the customer: names hold no digits, so the number can be
 * read back off the end and no two customers share an address (one person, one subject).
 */
const LOCAL_PARTS: readonly ((first: string, last: string, n: number) => string)[] = [
  (first, last, n) => `${first}.${last}${n}`,
  (first, last, n) => `${first}${last}${n}`,
  (first, last, n) => `${first.charAt(0)}${last}${n}`,
  (first, last, n) => `${last}.${first}${n}`,
  (first, last, n) => `${first}_${last}${n}`,
  (first, last, n) => `${first}.${last}.${n}`,
];

const random = new Random(0, STREAM.customer);

/** The customer with this id; a pure function of (seed, id), so any thread can rebuild it. */
export function customer(seed: number, id: number): Customer {
  random.reset(seed, STREAM.customer, id);
  const country = countries.pick(random);
  const first = random.pick(country.firstNames);
  const last = random.pick(country.lastNames);
  const localPart = random.pick(LOCAL_PARTS);
  const domain = random.pick(country.emailDomains);
  const lower = () => `${localPart(fold(first), fold(last), id + 1)}@${domain}`;
  const capitalized = () => `${localPart(capitalize(fold(first)), capitalize(fold(last)), id + 1)}@${capitalize(domain)}`;
  const spelling = random.float();
  const emails = spelling < 0.75 ? [lower()] : spelling < 0.88 ? [capitalized()] : [capitalized(), lower()];
  const city = random.pick(country.cities);
  const address = country.address({
    street: random.pick(country.streets),
    number: random.between(1, 199),
    unit: random.chance(0.2) ? random.pick(country.units) : '',
    city,
    postcode: random.fill(city.postcode),
  });
  const locale = random.chance(0.08) ? '' : random.chance(0.75) ? country.locales[0] : random.pick(country.locales);
  return {
    country,
    name: `${first} ${last}`,
    emails,
    phone: random.fill(random.pick(country.phones)),
    address,
    region: city.region ?? '',
    locale,
  };
}

/** The shop account of a customer, as nginx logs it in `$remote_user`. */
export function accountId(customerId: number): string {
  return `u${100000 + customerId}`;
}
