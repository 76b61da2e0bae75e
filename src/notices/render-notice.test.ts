import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_INCIDENT, DEMO_NARRATIVES } from '../demo/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { CATEGORIES, type Category } from '../domain/index.ts';
import { chooseLocale } from './locale-choice.ts';
import type { NoticeVars } from './notice-vars.ts';
import { renderNotice, renderNoticeSubject } from './render-notice.ts';
import { BUILT_IN_TEMPLATES_DIR, loadTemplateSet, type TemplateSet } from './template-set.ts';
import { loadVariantSets, NOTICE_VARIANTS } from './variant-sets.ts';
import { generateCode } from './verification-code.ts';

const builtIn = loadTemplateSet([BUILT_IN_TEMPLATES_DIR]);
const LOCALES = [...builtIn.locales.keys()];
const EXPOSED: Category[] = ['name', 'email', 'phone', 'postal_address'];
const NOT_EXPOSED: Category[] = ['payment_card_last4', 'password_hash'];

/** The demo shop's incident, as the notices stage would hand it over for one customer. */
function demoVars(overrides: Partial<NoticeVars> = {}): NoticeVars {
  return {
    name: 'Marie Dupont',
    exposed: EXPOSED,
    notExposed: NOT_EXPOSED,
    occurredFrom: DEMO_INCIDENT.occurred_from!,
    occurredTo: DEMO_INCIDENT.occurred_to!,
    discoveredAt: DEMO_INCIDENT.discovered_at!,
    awareAt: DEMO_INCIDENT.aware_at,
    controller: DEMO_INCIDENT.controller!,
    contactEmail: DEMO_INCIDENT.contact_email!,
    verificationCode: generateCode(),
    verifyAddress: 'shop.example.com/verify',
    shopAddress: 'shop.example.com',
    narrative: DEMO_NARRATIVES.en,
    ...overrides,
  };
}

const phrasesOf = (locale: string): Record<Category, string> =>
  JSON.parse(readFileSync(join(BUILT_IN_TEMPLATES_DIR, locale, 'categories.json'), 'utf8'));
const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;').replaceAll("'", '&#39;');

function thrown(action: () => unknown): TocsinError {
  try {
    action();
  } catch (error) {
    if (error instanceof TocsinError) return error;
    throw error;
  }
  throw new Error('expected a TocsinError');
}

const overrideRoot = mkdtempSync(join(tmpdir(), 'tocsin-templates-'));
afterAll(() => rmSync(overrideRoot, { recursive: true, force: true }));

/** An incident's override directory holding `files` (path → content), loaded over the built-in set. */
function withOverrides(files: Record<string, string>): TemplateSet {
  const dir = mkdtempSync(join(overrideRoot, 'incident-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return loadTemplateSet([dir, BUILT_IN_TEMPLATES_DIR]);
}

describe('built-in templates', () => {
  it('cover British and American English, French and Canadian French, German, Spanish, Italian and Brazilian Portuguese', () => {
    expect(LOCALES.sort()).toEqual(['de', 'en-GB', 'en-US', 'es', 'fr', 'fr-CA', 'it', 'pt-BR']);
  });

  it.each(LOCALES)('%s renders the demo notice with every variable known', (locale) => {
    const vars = demoVars();
    const notice = renderNotice(builtIn, locale, vars);
    expect(notice.subject).toContain(vars.controller);
    for (const part of [notice.text, notice.html]) {
      expect(part).toContain(vars.verificationCode);
      expect(part).toContain(vars.verifyAddress);
      expect(part).toContain(vars.contactEmail);
      expect(part).toContain('Marie Dupont');
      expect(part).toContain('(UTC)');
    }
  });

  it.each(LOCALES)('%s names what was exposed and what was not, and nothing else', (locale) => {
    const phrases = phrasesOf(locale);
    const { text, html } = renderNotice(builtIn, locale, demoVars());
    for (const category of [...EXPOSED, ...NOT_EXPOSED]) {
      expect(text).toContain(`- ${phrases[category]}\n`);
      expect(html).toContain(`<li>${escapeHtml(phrases[category])}</li>`);
    }
    for (const category of CATEGORIES.filter((c) => !EXPOSED.includes(c) && !NOT_EXPOSED.includes(c))) {
      expect(text).not.toContain(phrases[category]);
    }
    expect(text.indexOf(phrases.postal_address)).toBeLessThan(text.indexOf(phrases.password_hash));
  });

  it.each(LOCALES)('%s carries the same headings and code in the text part as in the HTML', (locale) => {
    const { text, html } = renderNotice(builtIn, locale, demoVars());
    const headings = [...html.matchAll(/<h[12][^>]*>(.*?)<\/h[12]>/g)].map(([, heading]) => heading.replaceAll('&#39;', "'"));
    expect(headings).toHaveLength(6);
    for (const heading of headings) expect(text.split('\n')).toContain(heading);
    expect(text.match(/[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/g)).toEqual(html.match(/[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}/g));
  });

  it.each(LOCALES)('%s has no link to click, only an address to type', (locale) => {
    const { text, html } = renderNotice(builtIn, locale, demoVars());
    expect(html).not.toMatch(/<a\b|href=|https?:/i);
    expect(text).not.toMatch(/https?:/i);
  });

  it.each(LOCALES)('%s tells what to do when password and payment data were exposed', (locale) => {
    const story = renderNotice(builtIn, locale, demoVars()).text;
    const worst = renderNotice(builtIn, locale, demoVars({ exposed: CATEGORIES, notExposed: [] })).text;
    expect(worst.length).toBeGreaterThan(story.length + 400);
    expect(worst).not.toMatch(/\n{3}/);
  });

  it('writes to a French customer in French, with French dates', () => {
    const locale = chooseLocale({ subjectLocale: 'fr-FR', country: 'FR', incidentLocale: 'en' }, builtIn.locales.keys());
    const notice = renderNotice(builtIn, locale, demoVars({ occurredFrom: '2019-11-01T00:00:00Z' }));
    expect(notice.subject).toBe('Incident de sécurité concernant vos données personnelles – Example Phone Shop Ltd');
    expect(notice.text).toContain("Que s'est-il passé\u00a0?");
    expect(notice.text).toContain('entre le 1er novembre 2019 et le 13 novembre 2019');
    expect(notice.text).toContain('votre adresse de livraison');
    expect(notice.text).toContain('une forme hachée (brouillée) du mot de passe de votre compte');
    expect(notice.html).toContain('<html lang="fr">');
  });

  it('says when the breach was discovered, or when the shop became aware if that is all it recorded', () => {
    const notice = renderNotice(builtIn, 'en-GB', demoVars({ discoveredAt: null, awareAt: '2019-11-15T09:00:00Z' }));
    expect(notice.text).toContain('we discovered it on 15 November 2019');
  });

  it('greets by a neutral greeting, in both parts, a "name" a mail client would make a link of', () => {
    for (const name of ['Pay at http://ev.il/', 'Visit www.example', 'Write to pay@ev.il', 'Ana ev.il', 'x'.repeat(101)]) {
      const { text, html } = renderNotice(builtIn, 'en-GB', demoVars({ name }));
      expect(text).toContain('\nDear customer,\n');
      expect(html).toContain('<p>Dear customer,</p>');
      expect(`${text}${html}`).not.toContain(name);
    }
    expect(renderNotice(builtIn, 'fr', demoVars({ name: 'Zoé Dupont-Lefèvre' })).text).toContain('\nBonjour Zoé Dupont-Lefèvre,\n');
  });

  it('greets a customer without a name politely', () => {
    expect(renderNotice(builtIn, 'en-GB', demoVars({ name: '  ' })).text).toContain('\nDear customer,\n');
    expect(renderNotice(builtIn, 'de', demoVars({ name: '' })).text).toContain('\nSehr geehrte Kundin, sehr geehrter Kunde,\n');
  });
});

describe('subject lines written again', () => {
  it('writes each reader the subject of their own values, kept only per the values the subject reads', () => {
    const personal = withOverrides({ 'en-GB/notice.subject.liquid': 'For {{ name }} – {{ controller }}\n' });
    expect(renderNoticeSubject(personal, 'en-GB', demoVars({ name: 'Marie Dupont' }))).toBe(`For Marie Dupont – ${DEMO_INCIDENT.controller}`);
    expect(renderNoticeSubject(personal, 'en-GB', demoVars({ name: 'Jean Martin' }))).toBe(`For Jean Martin – ${DEMO_INCIDENT.controller}`);
    expect(renderNoticeSubject(personal, 'en-GB', demoVars({ name: 'Jean Martin', controller: 'Other Shop' }))).toBe('For Jean Martin – Other Shop');
    for (const name of ['Marie Dupont', 'Jean Martin']) {
      expect(renderNoticeSubject(builtIn, 'fr', demoVars({ name }))).toBe(renderNotice(builtIn, 'fr', demoVars({ name })).subject);
    }
    expect(renderNoticeSubject(builtIn, 'fr', demoVars({ controller: 'Other Shop' }))).toContain('Other Shop');
  });

  it('works out the variables the subject reads as the whole notice does', () => {
    const busy = withOverrides({
      'en-GB/notice.subject.liquid': '{{ verification_code }} {{ exposed | join: ", " }} {{ exposed_categories.size }} {{ occurred_from }} {% if authority_duty %}{{ authority }}{% endif %} {{ what_happened.first }}\n',
    });
    for (const overrides of [{}, { authorityDuty: true, name: 'Jean Martin' }, { exposed: ['email'] as Category[], notExposed: [] }]) {
      const vars = demoVars(overrides);
      const whole = renderNotice(busy, 'en-GB', vars).subject;
      expect(whole).toContain(vars.verificationCode);
      expect(renderNoticeSubject(busy, 'en-GB', vars)).toBe(whole);
    }
  });
});

describe('values are data, never template or markup', () => {
  it('keeps CR and LF out of the subject', () => {
    const injected = 'Marie\r\nX-Evil: 2\r\n\r\nHello';
    const set = withOverrides({ 'en-GB/notice.subject.liquid': 'Hello {{ name }}, about {{ controller }}\n' });
    const notice = renderNotice(set, 'en-GB', demoVars({ name: injected, controller: `Shop\nX-Evil: 1` }));
    expect(notice.subject).toBe('Hello Marie X-Evil: 2 Hello, about Shop X-Evil: 1');
    expect(renderNotice(builtIn, 'fr', demoVars({ controller: 'Shop\r\nBcc: x@evil.example' })).subject).not.toMatch(/[\r\n]/);
    expect(notice.text).toContain('Dear Marie X-Evil: 2 Hello,\n');
  });

  it('escapes markup in the HTML part', () => {
    const { html, text } = renderNotice(builtIn, 'en-GB', demoVars({ name: '<script>alert(1)</script>', controller: 'Shop "&" <b>Co</b>' }));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Co');
    expect(html).toContain('Dear &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(html).toContain('Shop &#34;&amp;&#34; &lt;b&gt;Co&lt;/b&gt;');
    expect(text).toContain('Dear <script>alert(1)</script>,');
  });

  it.each(['{{ verification_code }}', '{% if %}', '{% raw %}', '{{ name }}{% endraw %}'])('prints a name like %s as written', (name) => {
    const { text, html } = renderNotice(builtIn, 'en-GB', demoVars({ name }));
    expect(text).toContain(`Dear ${name},`);
    expect(html).toContain(`Dear ${escapeHtml(name)},`);
  });

  it('strips bidirectional overrides that would make a name read backwards', () => {
    expect(renderNotice(builtIn, 'en-GB', demoVars({ name: 'Marie\u202eenoD' })).text).toContain('Dear Marie enoD,');
  });
});

describe('renderNotice refuses a notice it cannot render whole', () => {
  it('names a locale the set lacks', () => {
    const error = thrown(() => renderNotice(builtIn, 'nl', demoVars()));
    expect(error.code).toBe('NOTICE_LOCALE_MISSING');
    expect(error.message).toBe("no notice templates for locale 'nl'; the template set has: de, en-GB, en-US, es, fr, fr-CA, it, pt-BR");
  });

  it('names an unknown variable, with its file and line', () => {
    const set = withOverrides({ 'fr/notice.txt.liquid': 'Bonjour,\nvotre code : {{ code }}\n' });
    const error = thrown(() => renderNotice(set, 'fr', demoVars()));
    expect(error.code).toBe('NOTICE_TEMPLATE_FAILED');
    expect(error.message).toMatch(/fr\/notice\.txt\.liquid: undefined variable: code, line:2, col:\d+; the variables are: locale, name, /);
  });

  it('names a category without a phrase', () => {
    const set = withOverrides({ 'xx/notice.subject.liquid': 's', 'xx/notice.txt.liquid': 't', 'xx/notice.html.liquid': 'h', 'xx/categories.json': '{"name": "n"}' });
    expect(thrown(() => renderNotice(set, 'xx', demoVars())).message).toBe(
      "locale 'xx' has no phrase for the data category 'email'; add it to xx/categories.json",
    );
  });

  it('refuses a notice with nothing exposed, or a category both exposed and not', () => {
    expect(thrown(() => renderNotice(builtIn, 'it', demoVars({ exposed: [] }))).code).toBe('NOTICE_NOTHING_EXPOSED');
    expect(thrown(() => renderNotice(builtIn, 'it', demoVars({ notExposed: ['email'] }))).message).toMatch(/'email' is listed as both/);
  });

  it('refuses an instant that is not one', () => {
    expect(thrown(() => renderNotice(builtIn, 'es', demoVars({ occurredTo: 'last Tuesday' }))).message).toBe(
      "occurred-to: 'last Tuesday' is not an ISO 8601 instant",
    );
  });
});

describe("the incident's own narrative", () => {
  const variants = loadVariantSets([BUILT_IN_TEMPLATES_DIR]);
  const REST_API: NoticeVars['narrative'] = {
    what_happened: ['An attacker enumerated our REST API at /wc/v3/orders with a leaked key and downloaded order records.'],
    what_we_did: ['We revoked the leaked API key.'],
    what_we_are_doing: ['We are moving every API key into a vault.'],
    what_you_can_do: ['Ignore invoices that ask you to pay again.'],
  };
  const DEMO_WORDS = /order lookup|customer support|misused|Bestellabfrage|Kundenservice|consulta de pedidos|recherche de commandes|ricerca degli ordini/i;
  const every = () => NOTICE_VARIANTS.flatMap((variant) => [...variants[variant].locales.keys()].map((locale) => ({ variant, locale })));

  it("tells it in every built-in locale and variant, and none of the demo shop's story", () => {
    for (const { variant, locale } of every()) {
      const { text, html } = renderNotice(variants[variant], locale, demoVars({ narrative: REST_API }));
      for (const body of [text, html]) {
        expect(body, `${variant} ${locale}`).not.toMatch(DEMO_WORDS);
        expect(body).toContain('Ignore invoices that ask you to pay again.');
        // Massachusetts forbids saying how the breach happened: its variant leaves the story, and what was done about it, out.
        const story = ['An attacker enumerated our REST API at /wc/v3/orders with a leaked key and downloaded order records.', 'We revoked the leaked API key.', 'We are moving every API key into a vault.'];
        for (const paragraph of story) {
          if (variant === 'us-ma') expect(body).not.toContain(paragraph);
          else expect(body).toContain(paragraph);
        }
      }
    }
  });

  it("says each locale's defaults for what the shop did and is doing when the narrative tells only what happened", () => {
    const defaults: Record<string, string> = {
      'en-GB': 'We stopped the unauthorised access as soon as we discovered it.',
      'en-US': 'We stopped the unauthorized access as soon as we discovered it.',
      de: 'Wir haben den unbefugten Zugriff unterbunden',
      es: 'Pusimos fin al acceso no autorizado',
      fr: "Nous avons mis fin à l'accès non autorisé",
      it: "Abbiamo bloccato l'accesso non autorizzato",
      'fr-CA': "Nous avons mis fin à l'accès non autorisé",
      'pt-BR': 'Interrompemos o acesso não autorizado',
    };
    for (const { variant, locale } of every().filter(({ variant }) => variant !== 'us-ma')) {
      const { text, html } = renderNotice(variants[variant], locale, demoVars({ narrative: { what_happened: ['Story.'] } }));
      expect(text, `${variant} ${locale}`).toContain(defaults[locale]);
      expect(html).toContain(defaults[locale]);
      expect(text).not.toContain('We revoked');
    }
  });

  it('prints hostile narrative text as text: markup escaped in HTML, Liquid never run, one paragraph per line', () => {
    const hostile = '<script>alert(1)</script> {{ verification_code }} {% raw %}';
    const { text, html } = renderNotice(builtIn, 'en-GB', demoVars({ narrative: { what_happened: [hostile, 'Second\r\nBcc: x'] } }));
    expect(html).toContain(`<p>${escapeHtml(hostile)}</p>`);
    expect(html).not.toContain('<script>');
    expect(text).toContain(`\n${hostile}\n`);
    expect(text).toContain('Second Bcc: x');
  });

  it('refuses a notice without a narrative of what happened, saying the incident needs one in its locale', () => {
    expect(thrown(() => renderNotice(builtIn, 'fr', demoVars({ narrative: { what_we_did: ['x'] } })))).toMatchObject({
      code: 'NARRATIVE_MISSING',
      kind: 'conflict',
      message: "the notice in 'fr' has no narrative saying what happened; set one for the incident in 'fr'",
    });
  });

  it('says nothing about reporting to an authority or notifying an Attorney General, which no recorded fact backs', () => {
    for (const { variant, locale } of every()) {
      const { text } = renderNotice(variants[variant], locale, demoVars());
      expect(text, `${variant} ${locale}`).not.toMatch(/Attorney General|reported the incident|notifié l'incident|notificado el incidente|Vorfall der zuständigen|notificato la violazione|Comunicamos o incidente|law enforcement investigation/);
    }
  });

  it('states a report to an authority in every built-in locale only once one was recorded as submitted, naming it', () => {
    const sentence: Record<string, string> = {
      'en-GB': 'We have reported the incident to',
      'en-US': 'We have reported the incident to',
      de: 'Wir haben den Vorfall gemeldet:',
      es: 'Hemos notificado el incidente a:',
      fr: "Nous avons notifié l'incident à\u00a0:",
      'fr-CA': "Nous avons notifié l'incident à\u00a0:",
      it: 'Abbiamo notificato la violazione a:',
      'pt-BR': 'Comunicamos o incidente a:',
    };
    for (const locale of LOCALES) {
      const reported = renderNotice(builtIn, locale, demoVars({ reportedTo: ["Information Commissioner's Office (ICO)", 'CNIL'] }));
      expect(reported.text, locale).toContain(`${sentence[locale]} Information Commissioner's Office (ICO), CNIL.`);
      expect(reported.html).toContain(`${sentence[locale]} Information Commissioner&#39;s Office (ICO), CNIL.</li>`);
      const silent = renderNotice(builtIn, locale, demoVars({ reportedTo: [] }));
      expect(silent.text).not.toContain(sentence[locale]);
      expect(silent.html).not.toContain(sentence[locale]);
    }
  });

  it('tells Massachusetts and California residents of a report to their regulators only once it is recorded, not because a duty was found', () => {
    for (const variant of ['us-ma', 'us-ca'] as const) {
      const reported = renderNotice(variants[variant], 'en-US', demoVars({ reportedTo: ['California Attorney General'] }));
      expect(reported.text).toContain('We have reported the incident to California Attorney General.');
      expect(reported.html).toContain('We have reported the incident to California Attorney General.');
      const dutiful = renderNotice(variants[variant], 'en-US', demoVars({ authorityDuty: true }));
      expect(`${dutiful.text}${dutiful.html}`, variant).not.toMatch(/notifying|reported the incident/);
    }
  });

  it('says whether law enforcement delayed a California notice only as recorded', () => {
    const said = (lawEnforcementDelay: 'yes' | 'no' | null) => renderNotice(variants['us-ca'], 'en-US', demoVars({ lawEnforcementDelay })).text;
    expect(said('no')).toContain('This notice was not delayed by a law enforcement investigation.');
    expect(said('yes')).toContain('This notice was delayed because a law enforcement investigation required it.');
    expect(said(null)).not.toContain('law enforcement');
  });
});

describe("each regime's notice, in every built-in locale", () => {
  const variants = loadVariantSets([BUILT_IN_TEMPLATES_DIR]);
  const REGIMES = ['gdpr', 'ch-fadp', 'in-dpdp', 'jp-appi', 'sg-pdpa', 'au-privacy', 'ca-pipeda', 'br-lgpd'] as const;
  const regimesOf = (locale: string): Record<string, { authority: string; rights: string }> =>
    JSON.parse(readFileSync(join(BUILT_IN_TEMPLATES_DIR, locale, 'regimes.json'), 'utf8'));
  const EU_COMPLAINT = /supervisory authority|autorité de contrôle|Aufsichtsbehörde|autoridad de control|autorità di controllo|autoridade de controlo/i;

  it.each(REGIMES.flatMap((variant) => LOCALES.map((locale) => [variant, locale])))('%s in %s names its own authority and rights, and the EU complaint only under the GDPR', (variant, locale) => {
    const { text, html } = renderNotice(variants[variant as (typeof REGIMES)[number]], locale, demoVars());
    const { rights, authority } = regimesOf(locale)[variant];
    expect(text).toContain(rights);
    expect(html).toContain(escapeHtml(rights));
    expect(text).toContain(authority);
    for (const body of [text, html]) {
      if (variant === 'gdpr') expect(body).toMatch(EU_COMPLAINT);
      else expect(body).not.toMatch(EU_COMPLAINT);
      expect(body).not.toMatch(/do not receive|ne reçoivent pas|nicht erhält|no reciban|non ricevono|não receberem/);
    }
  });

  it.each([
    ['ch-fadp', 'de', 'Eidgenössischen Datenschutz- und Öffentlichkeitsbeauftragten (EDÖB)'],
    ['ch-fadp', 'fr', 'Préposé fédéral à la protection des données et à la transparence (PFPDT)'],
    ['ch-fadp', 'it', 'Incaricato federale della protezione dei dati e della trasparenza (IFPDT)'],
    ['ca-pipeda', 'fr-CA', 'Commissariat à la protection de la vie privée du Canada'],
    ['ca-pipeda', 'en-GB', 'Office of the Privacy Commissioner of Canada (OPC)'],
    ['br-lgpd', 'pt-BR', 'Autoridade Nacional de Proteção de Dados (ANPD)'],
    ['in-dpdp', 'en-GB', 'Data Protection Board of India'],
    ['jp-appi', 'en-GB', 'Personal Information Protection Commission (PPC)'],
    ['sg-pdpa', 'en-GB', 'Personal Data Protection Commission (PDPC)'],
    ['au-privacy', 'en-GB', 'Office of the Australian Information Commissioner (OAIC)'],
  ] as const)('%s in %s names %s', (variant, locale, authority) => {
    expect(renderNotice(variants[variant], locale, demoVars()).text).toContain(authority);
  });

  it('writes to Swiss readers in German without ß, and to German readers with it', () => {
    const swiss = renderNotice(variants['ch-fadp'], 'de', demoVars({ exposed: CATEGORIES, notExposed: [] }));
    expect(`${swiss.text}${swiss.html}`).not.toContain('ß');
    expect(swiss.text).toContain('Freundliche Grüsse');
    expect(renderNotice(variants.gdpr, 'de', demoVars()).text).toContain('Mit freundlichen Grüßen');
  });

  it('puts the verification code, and what the page asks for, before what was exposed', () => {
    for (const { variant, locale } of NOTICE_VARIANTS.flatMap((variant) => [...variants[variant].locales.keys()].map((locale) => ({ variant, locale })))) {
      const { text } = renderNotice(variants[variant], locale, demoVars({ verificationCode: 'N43F6-V14GR-HS7MB' as NoticeVars['verificationCode'] }));
      expect(text.indexOf('N43F6-V14GR-HS7MB'), `${variant} ${locale}`).toBeLessThan(text.indexOf(`- ${phrasesOf(locale).postal_address}`));
    }
    const { text } = renderNotice(variants.gdpr, 'en-GB', demoVars());
    expect(text).toContain('The page asks only for this code and your email address, never for a password, card details or a payment.');
    expect(text).toContain("Make sure it begins with our shop's address as you already know it");
    expect(text).toContain('We will never ask you for your password or any card details');
    expect(text).toContain('Someone who quotes your address or the last four digits of your card is not proof that it is us.');
    expect(text).not.toContain('full card');
    expect(text).toContain('Pay only on our own website, reached by typing its address yourself as you already know it.');
    expect(text).not.toContain('payment page at');
  });
});

describe('the wording a native reader expects', () => {
  const every = { exposed: CATEGORIES, notExposed: [] as Category[] };

  it('French: what was not viewed, "pourrait", and a hashed password said as such', () => {
    const { text } = renderNotice(builtIn, 'fr', demoVars());
    expect(text).toContain("Les informations suivantes n'ont pas été consultées\u00a0:");
    expect(text).not.toContain('restent en sécurité');
    expect(text).toContain('que cette situation pourrait vous causer');
    expect(renderNotice(builtIn, 'fr', demoVars(every)).text).toContain('une forme hachée (brouillée)');
  });

  it('Canadian French: "courriel" and "renseignements personnels", never "e-mail"', () => {
    const { subject, text } = renderNotice(builtIn, 'fr-CA', demoVars(every));
    expect(subject).toBe('Incident de sécurité touchant vos renseignements personnels – Example Phone Shop Ltd');
    expect(text).toContain('Ce courriel ne contient aucun lien.');
    expect(text).toContain('votre adresse courriel');
    expect(text).not.toMatch(/e-mail|données personnelles/);
  });

  it('German: a comma after "Guten Tag", and a German term for an ID number', () => {
    const { text } = renderNotice(builtIn, 'de', demoVars({ name: 'Anna Müller', ...every }));
    expect(text).toContain('Guten Tag, Anna Müller,');
    expect(text).toContain('Ihre Ausweisnummer oder eine andere amtliche Identifikationsnummer');
    expect(text).not.toContain('nationale Identifikationsnummer');
  });

  it('Spanish: a natural greeting, the past told in one tense', () => {
    const { text } = renderNotice(builtIn, 'es', demoVars({ name: 'Álvaro Castaño' }));
    expect(text).toContain('Hola, Álvaro Castaño:');
    expect(text).not.toContain('Estimado/a');
    expect(text).toContain('¿Qué ocurrió?');
    expect(text).toContain('que afectó a algunos de sus datos personales');
  });

  it('Italian: dates with their article, no weekday; "menzionino"', () => {
    const { text } = renderNotice(builtIn, 'it', demoVars({ occurredFrom: '2019-11-01T00:00:00Z', occurredTo: '2019-11-08T00:00:00Z' }));
    expect(text).toContain("tra il 1º novembre 2019 e l'8 novembre 2019");
    expect(text).not.toMatch(/lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica/);
    expect(text).toContain('telefonate inattese che menzionino');
  });

  it('Brazilian Portuguese: "você", the encarregado, and Pix among the payments never to make on request', () => {
    const { text } = renderNotice(builtIn, 'pt-BR', demoVars({ name: 'João Silva', ...every }));
    expect(text).toContain('Olá, João Silva,');
    expect(text).toContain('encarregado pelo tratamento de dados pessoais');
    expect(text).toContain('nem por transferência ou Pix a pedido de alguém');
    expect(text).toContain('sua senha em forma de hash (embaralhada)');
  });

  it.each(LOCALES)('%s gives each exposed category its likely consequence', (locale) => {
    const story = renderNotice(builtIn, locale, demoVars({ exposed: ['email'], notExposed: [] })).text;
    const worst = renderNotice(builtIn, locale, demoVars(every)).text;
    // Ten consequences beyond phishing: address, card digits, payment, password, security answers, identity, health, location, device, orders.
    const paragraphs = (text: string) => text.split('\n\n').length;
    expect(paragraphs(worst) - paragraphs(story)).toBeGreaterThanOrEqual(10);
  });

  it('warns in English that scammers may quote the last four card digits, and says a password leaked only hashed', () => {
    const { text } = renderNotice(builtIn, 'en-US', demoVars(every));
    expect(text).toContain('Scammers may quote the last four digits of your card to seem genuine.');
    expect(text).toContain('a hashed (scrambled) form of your account password');
    for (const consequence of ['Your address could be used', 'Information about your health is sensitive', 'Your location data could show', 'Your device identifiers could be used', 'Your order history could be quoted']) {
      expect(text).toContain(consequence);
    }
  });
});
