// Checked by `npm run typecheck` (never imported by the app): the client's calls are typed by the
// server's route table, so a wrong path, a missing parameter or a wrong field fails the check.
import { api } from './api.ts';

export async function typedByTheServer() {
  // @ts-expect-error no such route
  await api('GET', '/api/no-such-route');
  // @ts-expect-error the route takes DELETE and POST, not PUT
  await api('PUT', '/api/session');
  // @ts-expect-error the incident's id is missing
  await api('GET', '/api/incidents/:id');
  // @ts-expect-error a title is text
  await api('POST', '/api/incidents', { body: { title: 1, aware_at: '2019-11-14T16:00:00Z' } });
  // @ts-expect-error the body is strict: no field the schema lacks
  await api('PATCH', '/api/incidents/:id', { params: { id: 'k2kgwg' }, body: { admin: true } });

  const { items } = await api('GET', '/api/incidents');
  const title: string = items[0].title;
  // @ts-expect-error the reply's fields keep their types
  const count: number = items[0].aware_at;
  const pipeline = await api('GET', '/api/incidents/:id/pipeline', { params: { id: 'k2kgwg' } });
  const stage: 'imported' | 'scoped' | 'notices_built' | 'approved' | 'sent' | 'reported' = pipeline.stages[0].stage;
  return [title, count, stage];
}
