import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { invalidInput, reasonOf } from '../lib/errors.ts';

/**
 * A listener's certificate and key (`<prefix>.cert_file`, `<prefix>.key_file`), read and checked
 * before anything listens: files that do not load, or do not belong together, are the user's to
 * fix. Undefined when neither is given; `flags` names the command-line flags that set them.
 */
export function tlsFiles(files: { cert_file?: string; key_file?: string }, prefix: 'tls' | 'phishing.smtp', flags = ''): { cert: Buffer; key: Buffer } | undefined {
  if (files.cert_file === undefined && files.key_file === undefined) return undefined;
  if (files.cert_file === undefined || files.key_file === undefined) {
    throw invalidInput('TLS_OPTIONS', `${prefix}.cert_file and ${prefix}.key_file${flags} go together: give both, or neither${prefix === 'tls' ? ' to serve HTTP behind a proxy that does TLS' : ' to take mail without STARTTLS'}`);
  }
  const read = (file: string, key: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw invalidInput('TLS_UNREADABLE', `cannot read ${key} ${file} (${reasonOf(error)})`);
    }
  };
  const tls = { cert: read(files.cert_file, `${prefix}.cert_file`), key: read(files.key_file, `${prefix}.key_file`) };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw invalidInput('TLS_INVALID', `the TLS certificate and key cannot be used (${reasonOf(error)}); give the PEM chain as ${prefix}.cert_file and its private key as ${prefix}.key_file${flags}`);
  }
  return tls;
}
