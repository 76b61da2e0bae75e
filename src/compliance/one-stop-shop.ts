import { invalidInput } from '../lib/errors.ts';
import type { RuleBook } from './rules/load.ts';
import type { JurisdictionRules } from './rules/schema.ts';

export interface ControllerPlace {
  /** Where the controller is; an EU/EEA country here is also its establishment. */
  controllerCountry?: string | null;
  /** ISO code of the controller's main (or single) establishment in the EU/EEA, if any. */
  euEstablishment?: string | null;
}

/**
 * GDPR Art. 56: a controller established in the EU/EEA reports a cross-border breach to the lead
 * authority of its main establishment. Without one there is no lead — an Art. 27 representative does
 * not make one (EDPB Guidelines 9/2022, para. 73) — and every authority where people live is told.
 */
export function leadAuthority(place: ControllerPlace, book: RuleBook): JurisdictionRules | null {
  if (place.euEstablishment == null) {
    const controller = book.jurisdictions.get(place.controllerCountry?.trim().toUpperCase() ?? '');
    return controller?.regime === 'eu-gdpr' ? controller : null;
  }
  const establishment = book.jurisdictions.get(place.euEstablishment.trim().toUpperCase());
  if (establishment?.regime !== 'eu-gdpr') {
    throw invalidInput(
      'NOT_EEA_ESTABLISHMENT',
      `eu-establishment: '${place.euEstablishment}' is not an EU/EEA country code; give the ISO code of the controller's main establishment in the EU/EEA, such as IE, or leave it out if there is none`,
    );
  }
  return establishment;
}
