/**
 * The languages a shop would write to a customer in, by the country of their address, most
 * usual first: ISO 3166-1 alpha-2 → ISO 639-1. Where several are in use, the one businesses most
 * often write to customers in comes first (English in India); the first the template set has wins.
 */
export const COUNTRY_LANGUAGES: Readonly<Record<string, readonly string[]>> = {
  // Europe
  AD: ['ca', 'es', 'fr'], AL: ['sq'], AT: ['de'], BA: ['bs', 'hr', 'sr'], BE: ['nl', 'fr', 'de'], BG: ['bg'],
  CH: ['de', 'fr', 'it'], CY: ['el', 'tr'], CZ: ['cs'], DE: ['de'], DK: ['da'], EE: ['et'], ES: ['es'],
  FI: ['fi', 'sv'], FR: ['fr'], GB: ['en'], GR: ['el'], HR: ['hr'], HU: ['hu'], IE: ['en', 'ga'], IS: ['is'],
  IT: ['it'], LI: ['de'], LT: ['lt'], LU: ['fr', 'de', 'lb'], LV: ['lv'], MC: ['fr'], MD: ['ro'], ME: ['sr'],
  MK: ['mk'], MT: ['mt', 'en'], NL: ['nl'], NO: ['nb', 'no'], PL: ['pl'], PT: ['pt'], RO: ['ro'], RS: ['sr'],
  SE: ['sv'], SI: ['sl'], SK: ['sk'], SM: ['it'], UA: ['uk'], VA: ['it'],
  // Americas
  AR: ['es'], BO: ['es'], BR: ['pt'], CA: ['en', 'fr'], CL: ['es'], CO: ['es'], CR: ['es'], CU: ['es'],
  DO: ['es'], EC: ['es'], GT: ['es'], MX: ['es'], PA: ['es'], PE: ['es'], PR: ['es', 'en'], PY: ['es'],
  US: ['en'], UY: ['es'], VE: ['es'],
  // Asia and Oceania
  AE: ['ar', 'en'], AU: ['en'], CN: ['zh'], HK: ['zh', 'en'], ID: ['id'], IL: ['he'], IN: ['en', 'hi'],
  JP: ['ja'], KR: ['ko'], MY: ['ms', 'en'], NZ: ['en'], PH: ['en'], PK: ['ur', 'en'], SA: ['ar'],
  SG: ['en', 'zh'], TH: ['th'], TR: ['tr'], TW: ['zh'], VN: ['vi'],
  // Africa
  DZ: ['ar', 'fr'], EG: ['ar'], KE: ['en', 'sw'], MA: ['ar', 'fr'], NG: ['en'], SN: ['fr'], TN: ['ar', 'fr'],
  ZA: ['en'],
};
