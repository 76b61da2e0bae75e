import { Command } from 'commander';
import { portalPageStatus, publicationUrl, publishPage, readFaq, readFaqFile, setFaq, unpublishPage } from '../portal/index.ts';
import { formatTable, printJson, printLine, say } from './io.ts';
import { withContext } from './options.ts';

export function portalCommand(): Command {
  const command = new Command('portal').description("the customer portal's incident page: publish it, take it off, write its FAQ");
  command
    .command('publish')
    .description("publish the incident's page on the portal in every portal locale, from its narratives, facts and FAQs as they are now (again: to show what changed)")
    .argument('<id>', 'incident id')
    .option('--slug <slug>', 'the page is at /incidents/<slug> (default: the slug it had, else the incident id)')
    .option('--faq <locale=file>', "set the page's FAQ in LOCALE from a Markdown file, one heading per question; repeat it for each language", (assignment: string, previous: string[] = []) => [...previous, assignment])
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        // Every file is read and checked before anything is stored: one bad file changes nothing.
        const faqs = ((options.faq as string[] | undefined) ?? []).map(readFaqFile);
        for (const { locale, source, file } of faqs) await setFaq(ctx, id, locale, source, file);
        const publication = await publishPage(ctx, id, { slug: options.slug });
        if (options.json) return printJson({ ...publication, url: publicationUrl(ctx.config, publication) });
        say(`published the page of ${publication.incident_id}${ctx.config.public_url ? '' : ' (set public_url to print its full address)'}`);
        printLine(publicationUrl(ctx.config, publication));
      });
    });
  command
    .command('show')
    .description("whether the incident's page is published, where, and its FAQ in each portal locale")
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON, with each FAQ\'s Markdown')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const status = await portalPageStatus(ctx, id);
        if (options.json) return printJson(status);
        say(status.page ? `published on ${status.page.published_at}` : `not published; 'tocsin portal publish ${status.incident_id}' publishes it`);
        if (status.page) printLine(status.page.url);
        printLine(formatTable(['LOCALE', 'FAQ', 'UPDATED'], status.faqs.map((row) => [row.locale, row.faq === null ? 'none' : `${row.faq.length} characters`, row.updated_at ?? '—'])));
      });
    });
  command
    .command('unpublish')
    .description("take the incident's page off the portal")
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const result = await unpublishPage(ctx, id);
        if (options.json) return printJson(result);
        say(result.unpublished ? `the page of ${result.incident_id} is off the portal` : `the page of ${result.incident_id} was not published`);
      });
    });
  command
    .command('faq')
    .description("set the FAQ the incident's page shows in one locale (Markdown, one heading per question); publish again to show it")
    .argument('<id>', 'incident id')
    .requiredOption('--locale <locale>', 'a portal locale: en-GB, en-US, fr, de, es, it')
    .requiredOption('--file <file>', 'the FAQ in Markdown')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const set = await setFaq(ctx, id, options.locale, readFaq(options.file), options.file);
        say(`FAQ in ${set.locale} set for ${set.incident_id}; 'tocsin portal publish ${set.incident_id}' shows it`);
      });
    });
  return command;
}
