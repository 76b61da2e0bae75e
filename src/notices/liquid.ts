import { Liquid } from 'liquidjs';
import type { NoticePart } from './template-set.ts';

const options = {
  // A misspelt variable must stop the notice, not leave a silent blank in a legal text.
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  // No include, render or layout from disk: a template set is its files and nothing else.
  templates: {},
};

const plain = new Liquid(options);
// Escaping happens as templates are parsed, so the HTML part has an engine of its own.
const html = new Liquid({ ...options, outputEscape: 'escape' });

/** The engine that parses and renders a part: HTML output escapes every `{{ value }}`. */
export function liquidFor(part: NoticePart): Liquid {
  return part === 'html' ? html : plain;
}
