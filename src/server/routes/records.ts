import { listQuarantine, presetViews, quarantineView } from '../../records/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const quarantine = endpoint({
  summary: 'The rows imports set aside, with file, line and reason (tocsin quarantine)',
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: quarantineView(await listQuarantine(ctx, params.id)) }),
});

export const presets = endpoint({
  summary: "The exports an import's preset reads (tocsin import --help): each preset's key and email columns, and every column it maps to a data category",
  handle: async () => ({ items: presetViews() }),
});
