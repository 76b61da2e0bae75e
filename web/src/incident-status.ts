/** Where an incident stands by its timeline: closed, contained, or still open. */
export const INCIDENT_STATUSES = ['open', 'contained', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export function incidentStatus(incident: { contained_at: string | null; closed_at: string | null }): IncidentStatus {
  if (incident.closed_at) return 'closed';
  if (incident.contained_at) return 'contained';
  return 'open';
}

/** Filled badges in dark shades: white on them reads at 4.5:1 or better. */
export const STATUS_COLOURS: Record<IncidentStatus, string> = { open: 'red.9', contained: 'teal.9', closed: 'gray.7' };
