import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { en } from './messages/en.ts';
import { fr } from './messages/fr.ts';

/** The console's languages; dates and numbers follow the browser's own locale within the chosen language. */
export const LANGUAGES = { en: { label: 'English', messages: en }, fr: { label: 'Français', messages: fr } } as const;
export type Language = keyof typeof LANGUAGES;
export type MessageId = keyof typeof en;

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
  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, language);
    document.documentElement.lang = language;
  }, [language]);
  return (
    <LanguageContext.Provider value={{ language, setLanguage }}>
      <IntlProvider locale={localeFor(language)} defaultLocale="en" messages={LANGUAGES[language].messages}>
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
