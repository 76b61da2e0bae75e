import type { ReportDocument, ReportFact, ReportSection } from './report-document.ts';

export type ReportFormat = 'md' | 'html' | 'json';

/** Prints an authority report or register entry; values are escaped, never trusted as markup. */
export function renderReport(document: ReportDocument, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return markdown(document);
    case 'html':
      return html(document);
    case 'json':
      return `${JSON.stringify(document, null, 2)}\n`;
  }
}

function markdown(document: ReportDocument): string {
  const lines = [`# ${md(document.title)}`, '', `> ${md(document.disclaimer)}`, '', ...document.meta.map(mdFact), ''];
  document.sections.forEach((entry, index) => {
    lines.push(`## ${index + 1}. ${md(entry.title)}${entry.reference ? ` (${md(entry.reference)})` : ''}`, '');
    if (entry.facts.length > 0) lines.push(...entry.facts.map(mdFact), '');
    if (entry.prompt !== null) lines.push(`> **Needs a human:** ${md(entry.prompt)}`, '');
  });
  return lines.join('\n');
}

function mdFact(fact: ReportFact): string {
  return `- **${md(fact.label)}:** ${md(String(fact.value))}`;
}

/** Markdown-significant characters are escaped and line breaks flattened, so a value cannot restructure the report. */
function md(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_{}[\]<>|#!]/g, '\\$&');
}

function html(document: ReportDocument): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(document.title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
      'dt{font-weight:600}dd{margin:0 0 .5rem 1.5rem}.disclaimer{color:#555}' +
      '.needs-human{border-left:4px solid #c60;background:#fff4e5;padding:.5rem 1rem}</style>',
    '</head>',
    '<body>',
    `<h1>${esc(document.title)}</h1>`,
    `<p class="disclaimer">${esc(document.disclaimer)}</p>`,
    htmlFacts(document.meta),
    ...document.sections.map(htmlSection),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function htmlSection(entry: ReportSection, index: number): string {
  return [
    `<section id="${esc(entry.key)}">`,
    `<h2>${index + 1}. ${esc(entry.title)}${entry.reference ? ` <small>(${esc(entry.reference)})</small>` : ''}</h2>`,
    ...(entry.facts.length > 0 ? [htmlFacts(entry.facts)] : []),
    ...(entry.prompt !== null ? [`<div class="needs-human"><strong>Needs a human:</strong> ${esc(entry.prompt)}</div>`] : []),
    '</section>',
  ].join('\n');
}

function htmlFacts(facts: readonly ReportFact[]): string {
  return `<dl>${facts.map((fact) => `<dt>${esc(fact.label)}</dt><dd>${esc(String(fact.value))}</dd>`).join('')}</dl>`;
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
