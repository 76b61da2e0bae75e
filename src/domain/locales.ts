/** A locale tag as Tocsin writes them (`fr-FR`), or undefined when `tag` is none; `fr_FR` is taken too. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.replaceAll('_', '-'))[0];
  } catch {
    return undefined;
  }
}
