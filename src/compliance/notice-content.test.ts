import { describe, expect, it } from 'vitest';
import { checkNoticeContent } from './notice-content.ts';
import { loadRuleBook } from './rules/load.ts';

const book = loadRuleBook();
const california = book.rulesFor('US-CA');
const massachusetts = book.rulesFor('US-MA');
const illinois = book.rulesFor('US-IL');
const france = book.rulesFor('FR');

const CALIFORNIA_NOTICE = `
<html><head><title>Notice of Data Breach</title></head><body>
<h1>Notice of Data Breach</h1>
<h2>What Happened</h2><p>Between 1 and 14 November part of your order information was viewed.</p>
<h2>What Information Was Involved</h2><p>Your name, phone number, email and shipping address.</p>
<h2>What We Are Doing</h2><p>We closed the flaw.</p>
<h2>What You Can Do</h2><p>We will never ask for your password.</p>
<h2>For More Information</h2><p>Write to privacy@shop.example.</p>
</body></html>`;

const MASSACHUSETTS_NOTICE = `Dear {{ name }},
We are writing to let you know about an incident that may have involved your personal information.
You have the right to obtain a police report. You may place a security freeze on your credit report free of charge;
to do so, give your full name, address and date of birth to each consumer reporting agency.`;

describe('checkNoticeContent', () => {
  it('passes a California notice with its title and five headings', () => {
    expect(checkNoticeContent(california, CALIFORNIA_NOTICE)).toEqual({ ok: true, problems: [] });
  });

  it('fails a California notice that lacks the title or a heading', () => {
    const check = checkNoticeContent(california, CALIFORNIA_NOTICE.replaceAll('Notice of Data Breach', 'Security update').replace('What You Can Do', 'Advice'));
    expect(check.ok).toBe(false);
    expect(check.problems.map((problem) => [problem.rule, problem.item])).toEqual([
      ['title', 'Notice of Data Breach'],
      ['heading', 'What You Can Do'],
    ]);
  });

  it('passes a Massachusetts notice that neither describes the breach nor counts the people', () => {
    expect(checkNoticeContent(massachusetts, MASSACHUSETTS_NOTICE)).toEqual({ ok: true, problems: [] });
  });

  it('fails a Massachusetts template that prints the number of people affected', () => {
    const check = checkNoticeContent(massachusetts, `${MASSACHUSETTS_NOTICE}\n{{ affected_count }} customers received this letter.`);
    expect(check.problems).toEqual([
      {
        rule: 'forbidden',
        item: 'affected_count',
        message: 'Massachusetts notices must not state the number of people affected',
        excerpt: '{{ affected_count }}',
      },
    ]);
  });

  it('fails a Massachusetts notice that states the number in words', () => {
    const check = checkNoticeContent(massachusetts, `${MASSACHUSETTS_NOTICE}\n1,204 Massachusetts residents were affected.`);
    expect(check.problems.map((problem) => [problem.item, problem.excerpt])).toEqual([['affected_count', '1,204 Massachusetts residents were affected']]);
  });

  it('fails a Massachusetts notice that describes how the breach happened', () => {
    const told = checkNoticeContent(massachusetts, `${MASSACHUSETTS_NOTICE}\nAn attacker abused our support lookup page.`);
    expect(told.problems.map((problem) => [problem.item, problem.excerpt])).toEqual([['nature_of_breach', 'attacker']]);
    const templated = checkNoticeContent(massachusetts, `${MASSACHUSETTS_NOTICE}\n{% if what_happened %}{{ what_happened }}{% endif %}`);
    expect(templated.problems[0]).toMatchObject({ item: 'nature_of_breach', excerpt: '{% if what_happened %}' });
    // California's model heading is itself a description of the breach.
    expect(checkNoticeContent(massachusetts, CALIFORNIA_NOTICE).problems.some((problem) => problem.item === 'nature_of_breach')).toBe(true);
  });

  it('fails a Massachusetts notice that leaves out the police report and the security freeze', () => {
    const check = checkNoticeContent(massachusetts, 'Dear customer, an incident may have involved your information.');
    expect(check.problems.map((problem) => [problem.rule, problem.item])).toEqual([
      ['must-mention', 'police report'],
      ['must-mention', 'security freeze'],
    ]);
  });

  it('forbids the count in Illinois too, but not a sentence without a number', () => {
    const notice = 'Contact the Federal Trade Commission about a fraud alert or a security freeze. Illinois residents were affected.';
    expect(checkNoticeContent(illinois, notice).ok).toBe(true);
    expect(checkNoticeContent(illinois, notice.replace('Illinois residents', '312 Illinois residents')).ok).toBe(false);
  });

  it('has nothing to check where the law sets no machine-checkable rule', () => {
    expect(checkNoticeContent(france, 'Anything at all, 5,000 customers affected by an attacker.')).toEqual({ ok: true, problems: [] });
  });
});
