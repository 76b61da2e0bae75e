/** A label and what Tocsin knows for it. */
export interface ReportFact {
  label: string;
  value: string | number;
}

export interface ReportSection {
  key: string;
  title: string;
  /** The provision the section answers, where the regime has one (`GDPR Art. 33(3)(a)`). */
  reference: string | null;
  facts: ReportFact[];
  /** Only a human can supply this part; Tocsin never invents it. */
  needs_human: boolean;
  /** What the human is asked to write; null when nothing is needed. */
  prompt: string | null;
}

/** What renderReport prints: authority reports and breach register entries alike. */
export interface ReportDocument {
  title: string;
  meta: ReportFact[];
  sections: ReportSection[];
  disclaimer: string;
}

export function section(key: string, title: string, reference: string | null, facts: ReportFact[], prompt: string | null = null): ReportSection {
  return { key, title, reference, facts, needs_human: prompt !== null, prompt };
}
