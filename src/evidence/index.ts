// Front door of Evidence: access log readers and parsers, file hashing.
// Other folders and the adapters import this file, never the files behind it.
export type { AccessLineFailure, AccessLineParser, AccessRecord } from './access-record.ts';
export { CUT_SHORT, findRequestTarget, formatCombinedLine, parseCombinedLine, placed } from './combined.ts';
export { hashFile } from './hash.ts';
export { fieldsBehind, parseLogFields } from './json-log.ts';
export { byteRanges, isGzipFile, type LineBatch, readLines } from './lines.ts';
export { jsonMappingOf, lineParser, LOG_FORMATS, type LogFormat, type LogReading, splittable } from './log-format.ts';
export { parseIsoInstant, parseTimeLocal } from './log-time.ts';
