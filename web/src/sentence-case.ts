/** A field's name as words, for fields the console has no label of its own for: `controller_country` as `Controller country`. */
export function sentenceCase(key: string): string {
  const words = key.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
