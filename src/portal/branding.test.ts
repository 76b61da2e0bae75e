import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colord, extend } from 'colord';
import a11y from 'colord/plugins/a11y';
import { afterAll, describe, expect, it } from 'vitest';
import { configWith } from '../config.ts';
import { portalStylesheet, shopLogo } from './branding.ts';

extend([a11y]);
const dir = mkdtempSync(join(tmpdir(), 'tocsin-branding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shop = (shopConfig: Record<string, unknown>) => configWith({ shop: { domains: [], ...shopConfig } });
const property = (css: string, name: string) => new RegExp(`--${name}: (#[0-9a-f]{6});`).exec(css)?.[1];

describe('the portal’s branding', () => {
  it('sets the shop’s colours before the stylesheet, with text on the primary colour that reads (WCAG AA)', () => {
    for (const primary of ['#ffcc00', '#777777', '#767676', '#0b5cad', '#000', '#fff', '#e60012']) {
      const css = portalStylesheet(shop({ colours: { primary, accent: '#8a1538' } }));
      expect(property(css, 'bar')).toBe(colord(primary).toHex());
      expect(property(css, 'accent')).toBe('#8a1538');
      expect(colord(property(css, 'primary')!).contrast(property(css, 'on-primary')!), primary).toBeGreaterThanOrEqual(4.5);
      expect(css).toContain('.outcome');
    }
    // Without colours: the header on paper, buttons in the default accent.
    const plain = portalStylesheet(shop({}));
    expect(property(plain, 'bar')).toBe('#ffffff');
    expect(property(plain, 'on-bar')).toBe('#1b1f24');
    expect(property(plain, 'primary')).toBe('#0b5cad');
  });

  it('refuses an accent too light for links, naming a darker shade that passes', () => {
    expect(() => portalStylesheet(shop({ colours: { accent: '#6fa8dc' } }))).toThrow(/shop\.colours\.accent: #6fa8dc as link text .* contrast of 2\.\d+:1, under WCAG AA's 4\.5:1; use a darker shade such as #[0-9a-f]{6}/);
    const suggested = /such as (#[0-9a-f]{6})/.exec(String((() => { try { portalStylesheet(shop({ colours: { accent: '#6fa8dc' } })); } catch (error) { return (error as Error).message; } })()))![1];
    expect(() => portalStylesheet(shop({ colours: { accent: suggested } }))).not.toThrow();
    expect(() => configWith({ shop: { domains: [], colours: { accent: 'blue' } } })).toThrow();
    expect(() => configWith({ shop: { domains: [], colours: { primary: '#12345g' } } })).toThrow();
  });

  it('takes a PNG, JPEG or SVG logo by its bytes, not its name, and refuses anything else', () => {
    const file = (name: string, bytes: Buffer | string) => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    };
    expect(shopLogo(shop({}))).toBeNull();
    expect(shopLogo(shop({ logo: file('a.svg', '\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg"/>') }))!.type).toBe('image/svg+xml');
    expect(shopLogo(shop({ logo: file('logo.bin', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')) }))!.type).toBe('image/png');
    expect(shopLogo(shop({ logo: file('logo.png', Buffer.from('ffd8ffe000104a464946', 'hex')) }))!.type).toBe('image/jpeg');
    expect(() => shopLogo(shop({ logo: file('logo.svg', '<html><script>alert(1)</script></html>') }))).toThrow(/shop\.logo: .*logo\.svg is not a PNG, JPEG or SVG image/);
    expect(() => shopLogo(shop({ logo: join(dir, 'missing.png') }))).toThrow(/shop\.logo: cannot read .*missing\.png \(ENOENT\)/);
    expect(() => shopLogo(shop({ logo: file('big.png', Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(1024 * 1024)])) }))).toThrow(/a logo is at most 1 MiB/);
  });
});
