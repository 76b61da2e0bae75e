/**
 * The access log formats Tocsin reads, and a line parser for each. `json` takes any field
 * mapping (`--log-fields`); the other JSON formats are presets of it.
 */
import type { AccessLineParser } from './access-record.ts';
import { parseAlbLine } from './alb.ts';
import { parseCombinedLine } from './combined.ts';
import { jsonLineParser, JSON_LOG_PRESETS, type JsonLogMapping } from './json-log.ts';
import { w3cLineParser } from './w3c.ts';

export const LOG_FORMATS = ['combined', 'common', 'json', 'nginx-json', 'caddy', 'alb', 'cloudfront'] as const;

export type LogFormat = (typeof LOG_FORMATS)[number];

/** How to read a log: its format, and for `json` the field mapping (nginx-json's when none is given). */
export type LogReading = { format: LogFormat; fields?: JsonLogMapping };

/** The JSON field mapping the reading uses, or null for a text format. */
export function jsonMappingOf({ format, fields }: LogReading): JsonLogMapping | null {
  if (format === 'json') return fields ?? JSON_LOG_PRESETS['nginx-json'];
  return format === 'nginx-json' || format === 'caddy' ? JSON_LOG_PRESETS[format] : null;
}

/** A parser for the lines of one file, read from its start or from any line when splittable. */
export function lineParser(reading: LogReading): AccessLineParser {
  const mapping = jsonMappingOf(reading);
  if (mapping !== null) return jsonLineParser(mapping);
  if (reading.format === 'alb') return parseAlbLine;
  if (reading.format === 'cloudfront') return w3cLineParser();
  return parseCombinedLine;
}

/**
 * Whether a file of this format can be read in byte ranges. A W3C file's `#Fields:` line says
 * what its later lines hold, so it is read whole, from its start.
 */
export function splittable(format: LogFormat): boolean {
  return format !== 'cloudfront';
}
