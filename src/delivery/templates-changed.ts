import { TocsinError } from '../lib/errors.ts';

/** Sending renders what the build checked, or nothing: a notice built from other templates is refused. */
export function templatesChanged(incidentId: string): TocsinError {
  return new TocsinError('TEMPLATES_CHANGED', 'templates changed since the notices were built; build them again', { kind: 'conflict', next: { action: 'build_notices', incident_id: incidentId } });
}
