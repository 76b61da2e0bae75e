import { readFileSync } from 'node:fs';
import { colord, extend } from 'colord';
import a11y from 'colord/plugins/a11y';
import type { Config } from '../config.ts';
import { invalidInput, reasonOf } from '../lib/errors.ts';

extend([a11y]);

/** WCAG 2 AA for body text. */
const AA = 4.5;

/**
 * The portal's colours, as /portal.css's custom properties. `accent` (links, focus rings) sits on
 * the papers; `primary` (the header bar when the shop gives one, buttons) carries `on-primary` text.
 */
const DEFAULTS = {
  ink: '#1b1f24',
  muted: '#4a5560',
  paper: '#ffffff',
  accent: '#0b5cad',
  ok: '#17663a',
  'ok-paper': '#e9f6ee',
  warn: '#8a3b00',
  'warn-paper': '#fff3e6',
  line: '#c9d1d9',
};

/** Backgrounds that links are drawn on: the accent must read on each. */
const LINK_PAPERS = ['paper', 'ok-paper', 'warn-paper'] as const;

/** The largest logo the portal serves: it is on every page, and held in memory. */
const LOGO_LIMIT = 1024 * 1024;

export interface Logo {
  type: 'image/png' | 'image/jpeg' | 'image/svg+xml';
  bytes: Buffer;
}

const STYLESHEET = readFileSync(new URL('./pages/portal.css', import.meta.url), 'utf8');
const stylesheets = new WeakMap<object, string>();
const logos = new WeakMap<object, Logo | null>();

/**
 * /portal.css for this configuration, made once: the shop's colours as custom properties before
 * the stylesheet. Refuses an accent that fails WCAG AA as text on the portal's papers, naming a
 * darker shade that passes; text on the primary colour is black or white, whichever reads
 * better (one of them always reaches AA).
 */
export function portalStylesheet(config: Pick<Config, 'shop'>): string {
  let css = stylesheets.get(config.shop);
  if (css === undefined) {
    const { accent } = config.shop.colours ?? {};
    const primary = config.shop.colours?.primary && colord(config.shop.colours.primary).toHex();
    const palette: Record<string, string> = { ...DEFAULTS, ...(accent ? { accent: readableAccent(accent) } : {}) };
    palette.primary = primary ?? palette.accent;
    palette['on-primary'] = textOn(palette.primary);
    // Without a primary colour the header stays on paper; with one it carries the shop's colour.
    palette.bar = primary ?? palette.paper;
    palette['on-bar'] = primary ? palette['on-primary'] : palette.ink;
    const properties = Object.entries(palette).map(([name, value]) => `  --${name}: ${value};`);
    css = `:root {\n${properties.join('\n')}\n}\n${STYLESHEET}`;
    stylesheets.set(config.shop, css);
  }
  return css;
}

function readableAccent(accent: string): string {
  const colour = colord(accent);
  const worst = Math.min(...LINK_PAPERS.map((paper) => colour.contrast(DEFAULTS[paper])));
  if (worst >= AA) return colour.toHex();
  let darker = colour;
  while (LINK_PAPERS.some((paper) => darker.contrast(DEFAULTS[paper]) < AA)) darker = darker.darken(0.02);
  throw invalidInput(
    'CONFIG_INVALID',
    `shop.colours.accent: ${accent} as link text on the portal's pages has a contrast of ${worst.toFixed(2)}:1, under WCAG AA's ${AA}:1; use a darker shade such as ${darker.toHex()}`,
  );
}

/** Black or white, whichever reads better on `background`. */
function textOn(background: string): string {
  const colour = colord(background);
  return colour.contrast('#ffffff') >= colour.contrast('#000000') ? '#ffffff' : '#000000';
}

/**
 * The shop's logo (shop.logo), read and checked once: a PNG, JPEG or SVG file by its first bytes,
 * whatever its name says, up to 1 MiB. Null when none is configured.
 */
export function shopLogo(config: Pick<Config, 'shop'>): Logo | null {
  let logo = logos.get(config.shop);
  if (logo === undefined) {
    logo = config.shop.logo === undefined ? null : readLogo(config.shop.logo);
    logos.set(config.shop, logo);
  }
  return logo;
}

function readLogo(file: string): Logo {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw invalidInput('BAD_LOGO', `shop.logo: cannot read ${file} (${reasonOf(error)}); give the path of a PNG, JPEG or SVG file`);
  }
  if (bytes.byteLength > LOGO_LIMIT) throw invalidInput('BAD_LOGO', `shop.logo: ${file} has ${bytes.byteLength} bytes; a logo is at most 1 MiB`);
  const type = imageType(bytes);
  if (!type) throw invalidInput('BAD_LOGO', `shop.logo: ${file} is not a PNG, JPEG or SVG image`);
  return { type, bytes };
}

function imageType(bytes: Buffer): Logo['type'] | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  // SVG: an <svg> root, after an XML declaration, comments or a doctype if any.
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}
