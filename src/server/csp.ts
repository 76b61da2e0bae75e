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

/**
 * A rendered document the console previews in a sandboxed frame (an authority's report, the
 * register, a notice as its reader's mail client shows it): it runs nothing and fetches nothing,
 * keeps its own inline style and data: images, and only the console may frame it. A srcdoc frame
 * would inherit the console's policy, which refuses those inline styles.
 */
export const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";
