/** A label and what Tocsin knows for it. */
export interface ReportFact {
  label: string;
  value: string | number;
}

/** Figures side by side, such as every member state's count in the lead authority's report. */
export interface ReportTable {
  columns: string[];
  rows: (string | number)[][];
}

export interface ReportSection {
  key: string;
  title: string;
  /** The provision the section answers, where the regime has one (`GDPR Art. 33(3)(a)`). */
  reference: string | null;
  facts: ReportFact[];
  table: ReportTable | null;
  /** What a person wrote for the section (`tocsin report sections --set`), by paragraph; empty when nothing was. */
  written: string[];
  /** Only a human can supply this part, and none has yet; Tocsin never invents it. */
  needs_human: boolean;
  /** What the human is asked to write; null when nothing is needed. */
  prompt: string | null;
}

/** What renderReport prints: authority reports and breach register entries alike. */
export interface ReportDocument {
  /** The language it is written in (`fr`), for the reader and the HTML's lang. */
  language: string;
  title: string;
  meta: ReportFact[];
  sections: ReportSection[];
  /** How the document marks a section a person still has to write, in its language. */
  needs_human_label: string;
  disclaimer: string;
}

export function section(key: string, title: string, reference: string | null, facts: ReportFact[], prompt: string | null = null, table: ReportTable | null = null): ReportSection {
  return { key, title, reference, facts, table, written: [], needs_human: prompt !== null, prompt };
}
