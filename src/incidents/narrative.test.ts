import { describe, expect, it } from 'vitest';
import { checkNarrative, narrativeFor, narrativeMarkdown, parseNarrative } from './narrative.ts';

describe('narrative files', () => {
  it('reads the four parts from Markdown headings, paragraphs joined, each list item a paragraph of its own', () => {
    const source = [
      '# What happened',
      'Someone enumerated our REST API',
      'for three days.',
      '',
      'They read orders.',
      '## What we did ##',
      '- We revoked the API key.',
      '* We rate-limited the endpoint.',
      '',
      '### what_we_are_doing',
      '1. We are auditing every endpoint.',
      '## WHAT YOU CAN DO',
      'Watch for fake invoices.',
    ].join('\r\n');
    expect(parseNarrative(source, 'story.md')).toEqual({
      what_happened: ['Someone enumerated our REST API for three days.', 'They read orders.'],
      what_we_did: ['We revoked the API key.', 'We rate-limited the endpoint.'],
      what_we_are_doing: ['We are auditing every endpoint.'],
      what_you_can_do: ['Watch for fake invoices.'],
    });
  });

  it('reads a plain-text file without headings as what happened, markup and braces as written', () => {
    expect(parseNarrative('\uFEFFOur **API** leaked {{ verification_code }}.\n\n<script>x</script>\n', 'story.txt')).toEqual({
      what_happened: ['Our **API** leaked {{ verification_code }}.', '<script>x</script>'],
    });
  });

  it('refuses an unknown or repeated heading, naming file and line, and an empty file', () => {
    expect(() => parseNarrative('## What happened\nA\n\n## Timeline\nB', 'story.md')).toThrow(/story\.md, line 4: 'Timeline' is not a part of a narrative; use '## What happened'/);
    expect(() => parseNarrative('## What we did\nA\n## What we did\nB', 'story.md')).toThrow(/story\.md, line 3: 'What we did' comes twice/);
    expect(() => parseNarrative('\n  \n## What happened\n', 'story.md')).toThrow(/story\.md: the narrative is empty/);
  });

  it('finds every problem of a text at its line, for the editor', () => {
    expect(checkNarrative('## What happened\nA\n\n## Timeline\nB\n## What happened\nC').problems).toEqual([
      { line: 4, message: expect.stringMatching(/^'Timeline' is not a part of a narrative/) },
      { line: 6, message: "'What happened' comes twice; keep one" },
    ]);
    expect(checkNarrative('\n').problems).toEqual([{ line: null, message: 'the narrative is empty; write at least what happened' }]);
    expect(checkNarrative('## What we did\nA').problems).toEqual([]);
  });

  it('writes a narrative back as Markdown that reads the same', () => {
    const narrative = { what_happened: ['One **bold** <b>claim</b>.', 'Two.'], what_you_can_do: ['Watch {{ x }}.'] };
    const markdown = narrativeMarkdown(narrative);
    expect(markdown).toBe('## What happened\n\nOne **bold** <b>claim</b>.\n\nTwo.\n\n## What you can do\n\nWatch {{ x }}.\n');
    expect(parseNarrative(markdown, 'x')).toEqual(narrative);
  });

  it("serves a locale from its own narrative, or from its language's", () => {
    const narratives = new Map([
      ['en', { what_happened: ['en'] }],
      ['fr-CA', { what_happened: ['fr-CA'] }],
    ]);
    expect(narrativeFor(narratives, 'en-GB')?.what_happened).toEqual(['en']);
    expect(narrativeFor(narratives, 'fr-CA')?.what_happened).toEqual(['fr-CA']);
    expect(narrativeFor(narratives, 'fr')).toBeUndefined();
  });
});
