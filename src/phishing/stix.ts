/**
 * The watch list as a STIX 2.1 bundle: the shop as the `identity` that made it, each campaign as
 * a `campaign`, each of its domains and URLs as an `indicator` with a STIX pattern, and an
 * `indicates` relationship from each indicator to its campaign. Ids are UUIDv5 of what the object
 * stands for and times come from the reports, so the same data always gives the same bundle (a
 * feed consumer sees an update as the same objects, modified).
 */
import { createHash } from 'node:crypto';

/** The UUIDv5 namespace of Tocsin's STIX objects. */
const NAMESPACE = 'b8f3d0a4-4c1e-5d6f-8a2b-7e9c1f3a5d20';

/** An RFC 4122 version 5 UUID: SHA-1 of the namespace and the name. */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface WatchedCampaign {
  id: string;
  first_seen: string;
  last_seen: string;
  verdict: string;
  indicators: { kind: 'domain' | 'url'; value: string; first_seen: string }[];
}

/** A STIX 2.1 object: the properties every type has, and its type's own. */
export interface StixObject {
  type: string;
  spec_version: '2.1';
  id: string;
  created: string;
  modified: string;
  [property: string]: unknown;
}

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** A string inside a STIX pattern: single quotes, with quotes and backslashes escaped. */
function patternString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The bundle of `campaigns`, made by `shop` (the shop's name and domains). */
export function stixBundle(shop: { name: string; domains: readonly string[] }, campaigns: readonly WatchedCampaign[]): StixBundle {
  const earliest = campaigns.map((campaign) => campaign.first_seen).sort()[0] ?? '1970-01-01T00:00:00.000Z';
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${uuidV5(`identity|${shop.domains.join(',')}`)}`,
    created: earliest,
    modified: earliest,
    name: shop.name,
    identity_class: 'organization',
  };
  const objects: StixObject[] = [identity];
  for (const campaign of campaigns) {
    const campaignId = `campaign--${uuidV5(`campaign|${campaign.id}`)}`;
    objects.push({
      type: 'campaign',
      spec_version: '2.1',
      id: campaignId,
      created_by_ref: identity.id,
      created: campaign.first_seen,
      modified: campaign.last_seen,
      name: `Phishing campaign ${campaign.id}`,
      description: `Phishing reported to ${shop.name} (${campaign.verdict})`,
      first_seen: campaign.first_seen,
      last_seen: campaign.last_seen,
    });
    for (const indicator of campaign.indicators) {
      const indicatorId = `indicator--${uuidV5(`indicator|${indicator.kind}|${indicator.value}`)}`;
      objects.push({
        type: 'indicator',
        spec_version: '2.1',
        id: indicatorId,
        created_by_ref: identity.id,
        created: indicator.first_seen,
        modified: indicator.first_seen,
        name: `Phishing ${indicator.kind === 'domain' ? 'domain' : 'URL'} ${indicator.value}`,
        indicator_types: ['malicious-activity'],
        pattern: `[${indicator.kind === 'domain' ? 'domain-name' : 'url'}:value = ${patternString(indicator.value)}]`,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: indicator.first_seen,
      });
      objects.push({
        type: 'relationship',
        spec_version: '2.1',
        id: `relationship--${uuidV5(`indicates|${indicatorId}|${campaignId}`)}`,
        created_by_ref: identity.id,
        created: indicator.first_seen,
        modified: indicator.first_seen,
        relationship_type: 'indicates',
        source_ref: indicatorId,
        target_ref: campaignId,
      });
    }
  }
  return { type: 'bundle', id: `bundle--${uuidV5(`bundle|${objects.map((object) => object.id).join(',')}`)}`, objects };
}
