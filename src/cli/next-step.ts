import type { NextAction, NextStep } from '../lib/errors.ts';

type Step<A extends NextAction> = Extract<NextStep, { action: A }>;

/** `occurred_from` → `--occurred-from …`: an incident field as `tocsin incident update` takes it. */
const fieldFlag = (field: string) => `--${field.replaceAll('_', '-')} …`;

/** Each next step as the command line that takes it: the only place the CLI's wording of them lives. */
const COMMAND_LINES: { [A in NextAction]: (step: Step<A>) => string } = {
  list_incidents: () => 'tocsin incident list',
  update_incident: (step) => `tocsin incident update ${step.incident_id} ${step.fields.map(fieldFlag).join(' ')}`,
  set_narrative: (step) => `tocsin incident update ${step.incident_id} --narrative-file ${step.locale}=FILE`,
  import_records: (step) => `tocsin import ${step.incident_id} FILE`,
  scope: (step) => `tocsin scope ${step.incident_id} --rules scope.yml --logs FILE…`,
  list_unknown: (step) => `tocsin unknown ${step.incident_id}`,
  build_notices: (step) => `tocsin notices build ${step.incident_id} --shop-address ADDRESS`,
  check_templates: (step) => `tocsin templates check ${step.incident_id}`,
  approve_notices: (step) => `tocsin notices approve ${step.incident_id} --as PRIVACY_OFFICER_EMAIL`,
  send_notices: (step) => `tocsin send ${step.incident_id} --from ADDRESS`,
  assess: (step) => `tocsin assess ${step.incident_id}`,
  make_report: (step) => `tocsin report ${step.incident_id} --jurisdiction ${step.jurisdiction}`,
  list_report_sections: (step) => `tocsin report sections ${step.incident_id} --locale ${step.locale}`,
  verify_audit: (step) => `tocsin audit ${step.incident_id} --verify`,
  checkpoint_audit: (step) => `tocsin audit ${step.incident_id} --checkpoint`,
  database_status: () => 'tocsin db status',
  list_accounts: () => 'tocsin user list',
  list_api_tokens: () => 'tocsin token list',
  list_jobs: () => 'tocsin jobs list',
  generate_bounty_key: () => 'tocsin bounty key generate',
  list_phishing_reports: () => 'tocsin phishing reports',
  list_phishing_campaigns: () => 'tocsin phishing campaigns',
  list_bounty_reports: () => 'tocsin bounty reports',
};

export function commandLine(step: NextStep): string {
  return (COMMAND_LINES[step.action] as (step: NextStep) => string)(step);
}

/** A message with its next step's command line at the end of its first line (a list of problems may follow, after its colon). */
export function withNextStep(message: string, step: NextStep | undefined): string {
  if (!step) return message;
  const [first, ...rest] = message.split('\n');
  const colon = first.endsWith(':') ? ':' : '';
  return [`${first.slice(0, first.length - colon.length)} ('${commandLine(step)}')${colon}`, ...rest].join('\n');
}
