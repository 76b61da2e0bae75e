import { invalidInput } from '../lib/errors.ts';

/** The console's address as given (`--console-url`, the API's `console_url`): http(s), no credentials, query or fragment. */
export function consoleUrl(value: string, source: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw invalidInput('BAD_CONSOLE_URL', `${source} '${value}' is not the console's http(s) address, e.g. https://tocsin.shop.example`);
  }
  return url;
}

/** The link that sets an account's password on the console. The token rides in the fragment: browsers do not send it to the server, to proxies or in Referer headers. */
export function setPasswordLink(console: URL, token: string): string {
  return `${console.origin}${console.pathname.replace(/\/+$/, '')}/set-password#${token}`;
}
