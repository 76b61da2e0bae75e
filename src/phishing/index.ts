/** The phishing desk's front door. */
export { compactConfusables, confusablesCount, confusablesHeader, skeleton } from './confusables.ts';
export { DEFAULT_LOOKALIKE_WORDS, editDistance, foldForComparison, LOOKALIKE_KINDS, lookalikeIndex } from './lookalike.ts';
export type { Lookalike, LookalikeIndex, LookalikeKind, LookalikeOptions } from './lookalike.ts';
