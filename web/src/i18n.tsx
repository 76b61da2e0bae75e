import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import type { en } from './messages/en.ts';

export type MessageId = keyof typeof en;
type Catalogue = Record<MessageId, string>;

/**
 * The console's languages; dates and numbers follow the browser's own locale within the chosen
 * language. Each catalogue loads on its own when chosen: the first load carries one language's
 * words, not every language's.
 */
export const LANGUAGES = {
  en: { label: 'English', load: async (): Promise<Catalogue> => (await import('./messages/en.ts')).en },
  fr: { label: 'Français', load: async (): Promise<Catalogue> => (await import('./messages/fr.ts')).fr },
} as const;
export type Language = keyof typeof LANGUAGES;

const STORAGE_KEY = 'tocsin.language';

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(LANGUAGES, value);
}

/** The language chosen before, else the browser's first one we have, else English. */
function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  return navigator.languages.map((tag) => tag.slice(0, 2)).find(isLanguage) ?? 'en';
}

/** The browser's locale when it is of the chosen language (fr-CA keeps its formats), else the language itself. */
function localeFor(language: Language): string {
  return navigator.languages.find((tag) => tag.slice(0, 2) === language) ?? language;
}

const LanguageContext = createContext<{ language: Language; setLanguage(language: Language): void }>({ language: 'en', setLanguage: () => {} });

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [language, setLanguage] = useState(initialLanguage);
  // The catalogue shown, with its language: the page keeps the words it has until the next language's arrive.
  const [shown, setShown] = useState<{ language: Language; messages: Catalogue } | null>(null);
  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, language);
    let current = true;
    void LANGUAGES[language].load().then((messages) => {
      if (!current) return;
      setShown({ language, messages });
      document.documentElement.lang = language;
    });
    return () => {
      current = false;
    };
  }, [language]);
  if (!shown) return null;
  return (
    <LanguageContext.Provider value={{ language, setLanguage }}>
      <IntlProvider locale={localeFor(shown.language)} defaultLocale="en" messages={shown.messages}>
        {children}
      </IntlProvider>
    </LanguageContext.Provider>
  );
}

export const useLanguage = () => useContext(LanguageContext);

/** The message of an id, checked against the English catalogue. */
export function useMessage() {
  const intl = useIntl();
  return (id: MessageId, values?: Record<string, string | number>) => intl.formatMessage({ id }, values);
}
