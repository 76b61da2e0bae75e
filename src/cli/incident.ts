import { Command } from 'commander';
import type { Incident } from '../db/index.ts';
import { createIncident, getIncident, type IncidentChangesInput, incidentView, listIncidents, narrativesOf, readNarrativeFile, setNarrative, updateIncident } from '../incidents/index.ts';
import { formatFields, formatTable, printJson, printLine, say } from './io.ts';
import { withContext } from './options.ts';

/** CLI flag → incident field, for the timeline and contact fields both create and update take. */
const FIELD_FLAGS = [
  ['occurredFrom', 'occurred_from', '--occurred-from <iso>', 'when the breach began'],
  ['occurredTo', 'occurred_to', '--occurred-to <iso>', 'when it ended'],
  ['discoveredAt', 'discovered_at', '--discovered-at <iso>', 'when it was discovered'],
  ['controller', 'controller', '--controller <name>', 'the data controller (the shop’s legal entity)'],
  ['controllerCountry', 'controller_country', '--controller-country <cc>', 'the controller’s country (ISO 3166-1, e.g. FR)'],
  ['controllerRegion', 'controller_region', '--controller-region <code>', 'the region of its establishment (ISO 3166-2, e.g. DE-BY): in Germany it names the competent Land authority'],
  ['euEstablishment', 'eu_establishment', '--eu-establishment <cc>', 'its main establishment in the EU/EEA, if any: decides the GDPR lead authority'],
  ['assessedAt', 'assessed_at', '--assessed-at <iso>', "when the breach was assessed: Singapore's 3 days to the PDPC count from it"],
  ['contactEmail', 'contact_email', '--contact-email <email>', 'contact point for people and regulators (the DPO)'],
  ['contactPhone', 'contact_phone', '--contact-phone <number>', 'a phone number customers can call, printed beside the contact email'],
  ['controllerParent', 'controller_parent', '--controller-parent <name>', 'the company that owns the controller, if one does: Massachusetts notices must name it'],
  ['lawEnforcementDelay', 'law_enforcement_delay', '--law-enforcement-delay <yes|no>', 'whether a law enforcement investigation delayed the notices: California notices say so only once it is recorded'],
  ['protectionProvider', 'protection_provider', '--protection-provider <name>', 'the company providing the identity theft protection or credit monitoring offered free of charge'],
  ['protectionEnrolment', 'protection_enrolment', '--protection-enrolment <text>', "how to enrol in it, as the notice says it: 'call 1-800-… and give the code …'"],
  ['protectionMonths', 'protection_months', '--protection-months <n>', 'for how many months it is offered (California: at least 12, Massachusetts: 18 when SSNs leaked)'],
  ['locale', 'locale', '--locale <tag>', 'fallback language of notices (default en)'],
] as const;

const UPDATE_ONLY_FLAGS = [
  ['title', 'title', '--title <text>', 'a short title'],
  ['awareAt', 'aware_at', '--aware-at <iso>', 'when the shop became aware (starts the legal clocks)'],
  ['containedAt', 'contained_at', '--contained-at <iso>', 'when the breach was contained'],
  ['closedAt', 'closed_at', '--closed-at <iso>', 'when the incident was closed'],
] as const;

type Flag = readonly [string, string, string, string];

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Repeatable, or comma lists: the sector regimes that cover the controller, and the initial reports' dates. */
function addListFlags(command: Command): void {
  command.option(
    '--regulated-by <id>',
    'a sector regime that covers the controller, whose covered entities owe duties of their own wherever the people live: us-nydfs, us-hipaa, us-ftc-safeguards, eu-nis2, eu-dora, ch-ncsc; repeat it or give a comma list',
    collect,
  );
  command.option(
    '--reported-at <code=iso>',
    "when the initial report went to an authority, by jurisdiction code (BR=2019-11-20T12:00:00Z) or sector regime (eu-dora=…): later clocks count from it; repeat it or give a comma list, which replaces the one stored ('' clears)",
    collect,
  );
}

function collectFields(options: Record<string, unknown>, flags: readonly Flag[]): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  for (const [option, field] of flags) {
    const value = options[option];
    // An empty value clears an optional field: --contained-at ''
    if (typeof value === 'string') fields[field] = value === '' ? null : value;
  }
  for (const [option, field] of [['regulatedBy', 'regulated_by'], ['reportedAt', 'reported_at']] as const) {
    const values = options[option] as string[] | undefined;
    if (values) fields[field] = values.join(',') || null;
  }
  return fields;
}

function incidentFields(incident: Incident): [string, string | number | null][] {
  return [
    ['id', incident.id],
    ['title', incident.title],
    ['occurred from', incident.occurred_from],
    ['occurred to', incident.occurred_to],
    ['discovered at', incident.discovered_at],
    ['aware at', incident.aware_at],
    ['contained at', incident.contained_at],
    ['closed at', incident.closed_at],
    ['controller', incident.controller],
    ['controller country', incident.controller_country],
    ['controller region', incident.controller_region],
    ['EU establishment', incident.eu_establishment],
    ['regulated by', incident.regulated_by],
    ['assessed at', incident.assessed_at],
    ['reported at', incident.reported_at],
    ['contact email', incident.contact_email],
    ['contact phone', incident.contact_phone],
    ['controller parent', incident.controller_parent],
    ['law enforcement delay', incident.law_enforcement_delay],
    ['protection offer', incident.protection_provider && `${incident.protection_provider}, ${incident.protection_months} months: ${incident.protection_enrolment}`],
    ['locale', incident.locale],
    ['created at', incident.created_at],
    ['updated at', incident.updated_at],
    ['audit entries', incident.audit_seq],
  ];
}

export function incidentCommand(): Command {
  const command = new Command('incident').description('create, list, show and update incidents');

  const create = command
    .command('create')
    .description('open a new incident and print its id')
    .requiredOption('--title <text>', 'a short title')
    .requiredOption('--aware-at <iso>', 'when the shop became aware (starts the legal clocks), e.g. 2019-11-14T09:00:00Z');
  for (const [, , flag, help] of FIELD_FLAGS) create.option(flag, help);
  addListFlags(create);
  create.option('--json', 'print the incident as JSON').action(async (options, cmd: Command) => {
    await withContext(cmd, async (ctx) => {
      const incident = await createIncident(ctx, {
        title: options.title,
        aware_at: options.awareAt,
        ...collectFields(options, FIELD_FLAGS),
      });
      if (options.json) printJson(incident);
      else printLine(incident.id);
    });
  });

  command
    .command('list')
    .description('list incidents, newest first')
    .option('--json', 'print JSON')
    .action(async (options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const incidents = await listIncidents(ctx);
        if (options.json) return printJson(incidents);
        if (incidents.length === 0) return say("no incidents yet; 'tocsin incident create --help' shows how to open one");
        printLine(formatTable(['ID', 'AWARE AT', 'CLOSED', 'TITLE'], incidents.map((i) => [i.id, i.aware_at, i.closed_at ? 'yes' : 'no', i.title])));
      });
    });

  command
    .command('show')
    .description('show one incident and its timeline')
    .argument('<id>', 'incident id')
    .option('--json', 'print JSON')
    .action(async (id: string, options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const incident = await getIncident(ctx, id);
        const narratives = await narrativesOf(ctx, incident.id);
        if (options.json) printJson(incidentView(incident, narratives));
        else printLine(formatFields([...incidentFields(incident), ['narratives', [...narratives.keys()].join(', ') || null]]));
      });
    });

  const update = command
    .command('update')
    .description("change an incident's title, timeline or contact (an empty value clears an optional field)")
    .argument('<id>', 'incident id');
  for (const [, , flag, help] of [...UPDATE_ONLY_FLAGS, ...FIELD_FLAGS]) update.option(flag, help);
  addListFlags(update);
  update.option(
    '--narrative-file <locale=file>',
    "what the notices in LOCALE tell of this incident, from a Markdown or plain-text file with '## What happened', '## What we did', '## What we are doing' and '## What you can do' parts (see README); 'en' serves en-GB and en-US; repeat it for each language",
    (assignment: string, previous: string[] = []) => [...previous, assignment],
  );
  update.option('--json', 'print the incident as JSON').action(async (id: string, options, cmd: Command) => {
    await withContext(cmd, async (ctx) => {
      const changes = collectFields(options, [...UPDATE_ONLY_FLAGS, ...FIELD_FLAGS]) as IncidentChangesInput;
      // Every file is read and checked before anything is stored: one bad file changes nothing.
      const narratives = ((options.narrativeFile as string[] | undefined) ?? []).map(readNarrativeFile);
      const updated = await updateIncident(ctx, id, changes);
      for (const { locale, narrative } of narratives) await setNarrative(ctx, updated.incident.id, locale, narrative);
      const incident = updated.incident;
      const changed = [...updated.changed, ...narratives.map(({ locale }) => `narrative ${locale}`)];
      if (options.json) return printJson({ incident, changed });
      say(changed.length > 0 ? `updated ${incident.id}: ${changed.join(', ')}` : `nothing changed on ${incident.id}`);
    });
  });

  return command;
}
