import { listQuarantine, quarantineView } from '../../records/index.ts';
import { endpoint } from '../endpoint.ts';
import { incidentParams } from './incidents.ts';

export const quarantine = endpoint({
  summary: 'The rows imports set aside, with file, line and reason (tocsin quarantine)',
  params: incidentParams,
  handle: async ({ ctx, params }) => ({ items: quarantineView(await listQuarantine(ctx, params.id)) }),
});
