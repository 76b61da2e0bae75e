import MarkdownIt from 'markdown-it';
import { invalidInput } from '../lib/errors.ts';

/**
 * Markdown as the incident page shows it: no raw HTML (it is shown as text), no images (the page
 * loads nothing from elsewhere), links only to http(s) and mailto (markdown-it's own check keeps
 * out javascript: and data:). Writers of an FAQ are staff, but what they paste may come from anywhere.
 */
const markdown = new MarkdownIt('commonmark', { html: false, linkify: false }).disable(['image']);

/** One question of an FAQ with its answer, both as safe HTML. */
export interface FaqEntry {
  question: string;
  answer: string;
}

/**
 * An FAQ in Markdown: each heading (`## How do I know…?`, any level) is a question and what
 * follows it, up to the next heading, its answer. Refuses text before the first question, a
 * question without an answer and an FAQ without a question, naming the line.
 */
export function parseFaq(source: string, file: string): FaqEntry[] {
  const tokens = markdown.parse(source.replace(/^\uFEFF/, ''), {});
  const entries: FaqEntry[] = [];
  let index = 0;
  const lineOf = (at: number) => (tokens[at]?.map?.[0] ?? 0) + 1;
  if (tokens.length > 0 && tokens[0].type !== 'heading_open') {
    throw invalidInput('BAD_FAQ', `${file}, line ${lineOf(0)}: an FAQ starts with a question as a heading, e.g. '## Was my password exposed?'`);
  }
  while (index < tokens.length) {
    const line = lineOf(index);
    const question = markdown.renderer.renderInline(tokens[index + 1].children ?? [], markdown.options, {});
    let end = index + 3;
    while (end < tokens.length && tokens[end].type !== 'heading_open') end++;
    const answer = markdown.renderer.render(tokens.slice(index + 3, end), markdown.options, {}).trim();
    if (question.trim() === '') throw invalidInput('BAD_FAQ', `${file}, line ${line}: a heading without a question; write the question after the #`);
    if (answer === '') throw invalidInput('BAD_FAQ', `${file}, line ${line}: the question has no answer; write it below the heading`);
    entries.push({ question, answer });
    index = end;
  }
  if (entries.length === 0) throw invalidInput('BAD_FAQ', `${file}: the FAQ is empty; write each question as a heading and its answer below it`);
  return entries;
}
