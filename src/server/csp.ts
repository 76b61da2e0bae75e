/** Nothing but the page's own files, no inline script or style, never framed. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The policy as a header value; a page with its own nonce also admits style elements that carry it. */
export function cspHeader({ styleNonce }: { styleNonce?: string } = {}): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, sources]) => [kebab(name), ...sources, ...(name === 'styleSrc' && styleNonce ? [`'nonce-${styleNonce}'`] : [])].join(' '))
    .join('; ');
}
