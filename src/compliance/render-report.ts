import type { ReportDocument, ReportFact, ReportSection, ReportTable } from './report-document.ts';

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

/** The breach register as a document: its entries one after another (Markdown between rules), or as JSON. */
export function renderRegister(entries: readonly ReportDocument[], format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  return entries.map((entry) => renderReport(entry, format)).join(format === 'md' ? '\n---\n\n' : '\n');
}

function markdown(document: ReportDocument): string {
  const lines = [`# ${md(document.title)}`, '', `> ${md(document.disclaimer)}`, '', ...document.meta.map(mdFact), ''];
  document.sections.forEach((entry, index) => {
    lines.push(`## ${index + 1}. ${md(entry.title)}${entry.reference ? ` (${md(entry.reference)})` : ''}`, '');
    if (entry.facts.length > 0) lines.push(...entry.facts.map(mdFact), '');
    if (entry.table !== null) lines.push(...mdTable(entry.table), '');
    for (const paragraph of entry.written) lines.push(md(paragraph), '');
    if (entry.prompt !== null) lines.push(`> **${md(document.needs_human_label)}:** ${md(entry.prompt)}`, '');
  });
  return lines.join('\n');
}

function mdTable(table: ReportTable): string[] {
  const row = (cells: readonly (string | number)[]) => `| ${cells.map((cell) => md(String(cell))).join(' | ')} |`;
  return [row(table.columns), row(table.columns.map(() => '---')), ...table.rows.map(row)];
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
    `<html lang="${esc(document.language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<title>${esc(document.title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;line-height:1.5}' +
      'dt{font-weight:600}dd{margin:0 0 .5rem 1.5rem}.disclaimer{color:#555}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}' +
      '.needs-human{border-left:4px solid #c60;background:#fff4e5;padding:.5rem 1rem}</style>',
    '</head>',
    '<body>',
    `<h1>${esc(document.title)}</h1>`,
    `<p class="disclaimer">${esc(document.disclaimer)}</p>`,
    htmlFacts(document.meta),
    ...document.sections.map((entry, index) => htmlSection(entry, index, document.needs_human_label)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function htmlSection(entry: ReportSection, index: number, needsHumanLabel: string): string {
  return [
    `<section id="${esc(entry.key)}">`,
    `<h2>${index + 1}. ${esc(entry.title)}${entry.reference ? ` <small>(${esc(entry.reference)})</small>` : ''}</h2>`,
    ...(entry.facts.length > 0 ? [htmlFacts(entry.facts)] : []),
    ...(entry.table !== null ? [htmlTable(entry.table)] : []),
    ...entry.written.map((paragraph) => `<p>${esc(paragraph)}</p>`),
    ...(entry.prompt !== null ? [`<div class="needs-human"><strong>${esc(needsHumanLabel)}:</strong> ${esc(entry.prompt)}</div>`] : []),
    '</section>',
  ].join('\n');
}

function htmlTable(table: ReportTable): string {
  const cells = (tag: 'th' | 'td', row: readonly (string | number)[]) => `<tr>${row.map((cell) => `<${tag}>${esc(String(cell))}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${cells('th', table.columns)}</thead><tbody>${table.rows.map((row) => cells('td', row)).join('')}</tbody></table>`;
}

function htmlFacts(facts: readonly ReportFact[]): string {
  return `<dl>${facts.map((fact) => `<dt>${esc(fact.label)}</dt><dd>${esc(String(fact.value))}</dd>`).join('')}</dl>`;
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
