/**
 * The links of a message, read without rendering or fetching anything: `href`s of its HTML,
 * URLs in its text (linkify-it, defanged ones made whole again first), and the targets behind
 * the rewrites of link-scanning services (Microsoft Safe Links, Proofpoint URL Defense, Google's
 * redirector), whose own host says nothing about the phish.
 */
import { LinkifyIt } from 'linkify-it';

// Bare host names count: a phish may ask the reader to type one.
const linkify = new LinkifyIt({ fuzzyLink: true });

/** Defanging as analysts and reporters write it: hxxp://, example[.]com, example(.)com, [:]//, [at]. */
export function refang(text: string): string {
  return text
    .replace(/\bh(?:xx|\*\*|XX)p(s?)(\[:\]|:)/g, 'http$1:')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[at\]|\[@\]/gi, '@');
}

/** Entities a URL inside an attribute may carry; anything else is left as written. */
const ATTRIBUTE_ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', sol: '/', colon: ':', period: '.' };

function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ATTRIBUTE_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** The values of `href` (and `action`, for forms) in an HTML text: what a click or a submit would open. */
export function htmlLinks(html: string): string[] {
  const links: string[] = [];
  for (const match of html.matchAll(/\s(?:href|action)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
    links.push(decodeAttribute((match[1] ?? match[2] ?? match[3]).trim()));
  }
  return links;
}

/** URLs written in a text, defanged ones included; bare host names (`example.com`) count, as a reader would type them. */
export function textLinks(text: string): string[] {
  return (linkify.match(refang(text)) ?? []).map((match) => match.url);
}

const MAX_UNWRAP = 5;

/** Where a rewritten link really goes, through nested rewrites; the link itself when it is no rewrite. */
export function unwrapLink(link: string): string {
  let current = link;
  for (let i = 0; i < MAX_UNWRAP; i++) {
    const inner = rewrittenTarget(current);
    if (inner === null || inner === current) break;
    current = inner;
  }
  return current;
}

function rewrittenTarget(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.safelinks.protection.outlook.com')) return url.searchParams.get('url');
  if ((host === 'www.google.com' || host === 'google.com') && url.pathname === '/url') return url.searchParams.get('q') ?? url.searchParams.get('url');
  if (host === 'urldefense.com' || host === 'urldefense.proofpoint.com') {
    // v3: https://urldefense.com/v3/__https://target__;!!token; v2: ?u=https-3A__target (dashes for percent signs, _ for /).
    const v3 = /^\/v3\/__(.+?)__;/.exec(url.pathname + url.search);
    if (v3) return v3[1];
    const v2 = url.searchParams.get('u');
    if (v2) return v2.replace(/_/g, '/').replace(/-([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
  return null;
}

/** The host of a link in lower case, IDNA-decoded to A-labels by the URL parser; null for mailto:, relative links and non-URLs. */
export function linkHost(link: string): string | null {
  try {
    const url = new URL(link);
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'ftp:') return null;
    return url.hostname.replace(/^\[|\]$/g, '').toLowerCase() || null;
  } catch {
    return null;
  }
}
