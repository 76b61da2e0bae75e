import { listIncidents } from '../incidents/index.ts';
import { configWith } from '../config.ts';
import { openContext } from '../context.ts';
import { invalidInput } from '../lib/errors.ts';
import { DEMO_INCIDENT } from './story.ts';
import { copiedWorkspace, type DemoWorkspace } from './workspace.ts';

/**
 * The demo as an earlier `tocsin demo` left it at FROM, copied into a fresh workspace at DIR
 * instead of running every stage again, and its incident. Where its database recorded a path
 * (the evidence, the outbox), it still names FROM's file, of which the copy holds its own.
 */
export async function copyDemo(from: string, dir: string): Promise<{ workspace: DemoWorkspace; incidentId: string }> {
  const workspace = copiedWorkspace(from, dir);
  const ctx = await openContext({ config: configWith({ data_dir: workspace.data }) });
  try {
    const incident = (await listIncidents(ctx)).find((one) => one.title === DEMO_INCIDENT.title);
    if (!incident) throw invalidInput('DEMO_WORKSPACE', `${from} holds no demo incident; run 'tocsin demo --dir ${from}' again`);
    return { workspace, incidentId: incident.id };
  } finally {
    await ctx.close();
  }
}
