import type { Category } from '../domain/index.ts';

/**
 * The order exports of common shop platforms, by their real column names, so that most shops
 * import with `--preset NAME` alone. Presets classify who the customer is and how to reach
 * them; what they bought (line items, totals) is left unmapped, and --map can add it as
 * order_history. A column a preset lists but an export lacks is skipped, so one preset fits
 * the export's versions and optional columns; the key and subject columns must be there.
 */
export interface Preset {
  /** The shop platform: `--preset PLATFORM` picks among its presets by the file's header. */
  platform: string;
  /** Which export this is and how to get it, for `--help` and error messages. */
  description: string;
  key: string;
  /** The column holding the customer's email address. */
  subject: string;
  locale?: string;
  country?: string;
  region?: string;
  map: Readonly<Record<string, Category>>;
  /**
   * Columns whose values are parts of one value (first and last name, the lines of one
   * address), in the order they are read: joined with the category's separator into one value.
   */
  parts?: readonly (readonly string[])[];
}

/**
 * PrestaShop's own orders export (Sell › Orders › Export) has no email column, so the preset
 * reads the result of this query, run in Advanced Parameters › Database › SQL Manager (export
 * is `;`-separated, in the encoding chosen there). Replace `ps_` if the shop uses another
 * table prefix. The address is the delivery address.
 */
export const PRESTASHOP_ORDERS_QUERY = `SELECT o.id_order, o.reference, c.email, a.firstname, a.lastname, a.company,
  a.address1, a.address2, a.postcode, a.city, s.iso_code AS state, co.iso_code AS country,
  a.phone, a.phone_mobile, l.locale
FROM ps_orders o
JOIN ps_customer c ON c.id_customer = o.id_customer
JOIN ps_address a ON a.id_address = o.id_address_delivery
JOIN ps_country co ON co.id_country = a.id_country
LEFT JOIN ps_state s ON s.id_state = a.id_state
JOIN ps_lang l ON l.id_lang = o.id_lang`;

export const PRESETS: Readonly<Record<string, Preset>> = {
  // https://help.shopify.com/en/manual/fulfillment/managing-orders/exporting-orders
  shopify: {
    platform: 'shopify',
    description:
      'Shopify: Orders › Export, CSV for Excel or plain CSV. One row per line item; the order’s addresses are on its first row, and rows continuing an order are merged into it.',
    key: 'Name',
    subject: 'Email',
    country: 'Billing Country',
    region: 'Billing Province',
    map: {
      Email: 'email',
      'Billing Name': 'name',
      'Shipping Name': 'name',
      Phone: 'phone',
      'Billing Phone': 'phone',
      'Shipping Phone': 'phone',
      // "Billing Street" is Address1 and Address2 joined: the parts are enough.
      'Billing Company': 'postal_address',
      'Billing Address1': 'postal_address',
      'Billing Address2': 'postal_address',
      'Billing City': 'postal_address',
      'Billing Zip': 'postal_address',
      'Billing Province': 'postal_address',
      'Billing Country': 'postal_address',
      'Shipping Company': 'postal_address',
      'Shipping Address1': 'postal_address',
      'Shipping Address2': 'postal_address',
      'Shipping City': 'postal_address',
      'Shipping Zip': 'postal_address',
      'Shipping Province': 'postal_address',
      'Shipping Country': 'postal_address',
    },
    parts: [
      ['Billing Company', 'Billing Address1', 'Billing Address2', 'Billing Zip', 'Billing City', 'Billing Province', 'Billing Country'],
      ['Shipping Company', 'Shipping Address1', 'Shipping Address2', 'Shipping Zip', 'Shipping City', 'Shipping Province', 'Shipping Country'],
    ],
  },
  // https://www.webtoffee.com/woocommerce-order-export-import-plugin-user-guide/ (column list:
  // https://woocommerce.com/document/import-and-export-of-woocommerce-orders/)
  'woocommerce-webtoffee': {
    platform: 'woocommerce',
    description:
      'WooCommerce: WooCommerce › Export (WebToffee’s "Order Export & Order Import for WooCommerce"), CSV with WooCommerce’s own field names. billing_email is the order’s address; customer_email that of the account, empty for guests.',
    key: 'order_id',
    subject: 'billing_email',
    country: 'billing_country',
    region: 'billing_state',
    map: {
      billing_email: 'email',
      customer_email: 'email',
      billing_first_name: 'name',
      billing_last_name: 'name',
      shipping_first_name: 'name',
      shipping_last_name: 'name',
      billing_phone: 'phone',
      shipping_phone: 'phone',
      billing_company: 'postal_address',
      billing_address_1: 'postal_address',
      billing_address_2: 'postal_address',
      billing_postcode: 'postal_address',
      billing_city: 'postal_address',
      billing_state: 'postal_address',
      billing_country: 'postal_address',
      shipping_company: 'postal_address',
      shipping_address_1: 'postal_address',
      shipping_address_2: 'postal_address',
      shipping_postcode: 'postal_address',
      shipping_city: 'postal_address',
      shipping_state: 'postal_address',
      shipping_country: 'postal_address',
    },
    parts: [
      ['billing_first_name', 'billing_last_name'],
      ['shipping_first_name', 'shipping_last_name'],
      ['billing_company', 'billing_address_1', 'billing_address_2', 'billing_postcode', 'billing_city', 'billing_state', 'billing_country'],
      ['shipping_company', 'shipping_address_1', 'shipping_address_2', 'shipping_postcode', 'shipping_city', 'shipping_state', 'shipping_country'],
    ],
  },
  // https://wordpress.org/plugins/woo-order-export-lite/ — the plugin's default field labels.
  'woocommerce-algolplus': {
    platform: 'woocommerce',
    description:
      'WooCommerce: WooCommerce › Export Orders ("Advanced Order Export For WooCommerce" by AlgolPlus), CSV with the plugin’s default labels. Order Number is the key; "Address 1&2" columns, when chosen instead of Address 1 and Address 2, are read too.',
    key: 'Order Number',
    subject: 'Email (Billing)',
    country: 'Country Code (Billing)',
    region: 'State Code (Billing)',
    map: {
      'Email (Billing)': 'email',
      'First Name (Billing)': 'name',
      'Last Name (Billing)': 'name',
      'First Name (Shipping)': 'name',
      'Last Name (Shipping)': 'name',
      'Phone (Billing)': 'phone',
      'Phone (Shipping)': 'phone',
      'Company (Billing)': 'postal_address',
      'Address 1&2 (Billing)': 'postal_address',
      'Address 1 (Billing)': 'postal_address',
      'Address 2 (Billing)': 'postal_address',
      'Postcode (Billing)': 'postal_address',
      'City (Billing)': 'postal_address',
      'State Code (Billing)': 'postal_address',
      'Country Code (Billing)': 'postal_address',
      'Company (Shipping)': 'postal_address',
      'Address 1&2 (Shipping)': 'postal_address',
      'Address 1 (Shipping)': 'postal_address',
      'Address 2 (Shipping)': 'postal_address',
      'Postcode (Shipping)': 'postal_address',
      'City (Shipping)': 'postal_address',
      'State Code (Shipping)': 'postal_address',
      'Country Code (Shipping)': 'postal_address',
    },
    parts: [
      ['First Name (Billing)', 'Last Name (Billing)'],
      ['First Name (Shipping)', 'Last Name (Shipping)'],
      ['Company (Billing)', 'Address 1&2 (Billing)', 'Address 1 (Billing)', 'Address 2 (Billing)', 'Postcode (Billing)', 'City (Billing)', 'State Code (Billing)', 'Country Code (Billing)'],
      ['Company (Shipping)', 'Address 1&2 (Shipping)', 'Address 1 (Shipping)', 'Address 2 (Shipping)', 'Postcode (Shipping)', 'City (Shipping)', 'State Code (Shipping)', 'Country Code (Shipping)'],
    ],
  },
  // https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties — one order object
  // per line; the NDJSON reader names a nested field by its path (billing.email).
  'woocommerce-wpallexport': {
    platform: 'woocommerce',
    description:
      'WooCommerce: All Export › New Export › WooCommerce Orders (Soflyy’s "WP All Export"), CSV with the plugin’s field names as column names. A new export holds Order ID, Order Key and Title: drag Billing Email Address and the billing and shipping fields (Customer section) into it. Customer Account Email Address is the account’s, empty for guests.',
    key: 'Order ID',
    subject: 'Billing Email Address',
    country: 'Billing Country',
    region: 'Billing State',
    map: {
      'Billing Email Address': 'email',
      'Customer Account Email Address': 'email',
      'Billing First Name': 'name',
      'Billing Last Name': 'name',
      'Shipping First Name': 'name',
      'Shipping Last Name': 'name',
      'Billing Phone': 'phone',
      'Billing Company': 'postal_address',
      'Billing Address 1': 'postal_address',
      'Billing Address 2': 'postal_address',
      'Billing Postcode': 'postal_address',
      'Billing City': 'postal_address',
      'Billing State': 'postal_address',
      'Billing Country': 'postal_address',
      'Shipping Company': 'postal_address',
      'Shipping Address 1': 'postal_address',
      'Shipping Address 2': 'postal_address',
      'Shipping Postcode': 'postal_address',
      'Shipping City': 'postal_address',
      'Shipping State': 'postal_address',
      'Shipping Country': 'postal_address',
    },
    parts: [
      ['Billing First Name', 'Billing Last Name'],
      ['Shipping First Name', 'Shipping Last Name'],
      ['Billing Company', 'Billing Address 1', 'Billing Address 2', 'Billing Postcode', 'Billing City', 'Billing State', 'Billing Country'],
      ['Shipping Company', 'Shipping Address 1', 'Shipping Address 2', 'Shipping Postcode', 'Shipping City', 'Shipping State', 'Shipping Country'],
    ],
  },
  'woocommerce-rest': {
    platform: 'woocommerce',
    description:
      'WooCommerce: the REST API’s orders (GET /wp-json/wc/v3/orders), one order object per line (NDJSON), e.g. from `jq -c \'.[]\'` over its pages. id is the key; billing.email the order’s address.',
    key: 'id',
    subject: 'billing.email',
    country: 'billing.country',
    region: 'billing.state',
    map: {
      'billing.email': 'email',
      'billing.first_name': 'name',
      'billing.last_name': 'name',
      'shipping.first_name': 'name',
      'shipping.last_name': 'name',
      'billing.phone': 'phone',
      'shipping.phone': 'phone',
      'billing.company': 'postal_address',
      'billing.address_1': 'postal_address',
      'billing.address_2': 'postal_address',
      'billing.postcode': 'postal_address',
      'billing.city': 'postal_address',
      'billing.state': 'postal_address',
      'billing.country': 'postal_address',
      'shipping.company': 'postal_address',
      'shipping.address_1': 'postal_address',
      'shipping.address_2': 'postal_address',
      'shipping.postcode': 'postal_address',
      'shipping.city': 'postal_address',
      'shipping.state': 'postal_address',
      'shipping.country': 'postal_address',
    },
    parts: [
      ['billing.first_name', 'billing.last_name'],
      ['shipping.first_name', 'shipping.last_name'],
      ['billing.company', 'billing.address_1', 'billing.address_2', 'billing.postcode', 'billing.city', 'billing.state', 'billing.country'],
      ['shipping.company', 'shipping.address_1', 'shipping.address_2', 'shipping.postcode', 'shipping.city', 'shipping.state', 'shipping.country'],
    ],
  },
  prestashop: {
    platform: 'prestashop',
    description: 'PrestaShop: the orders export has no email column; run the query below in Advanced Parameters › Database › SQL Manager and export its result.',
    key: 'id_order',
    subject: 'email',
    locale: 'locale',
    country: 'country',
    region: 'state',
    map: {
      email: 'email',
      firstname: 'name',
      lastname: 'name',
      phone: 'phone',
      phone_mobile: 'phone',
      company: 'postal_address',
      address1: 'postal_address',
      address2: 'postal_address',
      postcode: 'postal_address',
      city: 'postal_address',
      state: 'postal_address',
      country: 'postal_address',
    },
    parts: [
      ['firstname', 'lastname'],
      ['company', 'address1', 'address2', 'postcode', 'city', 'state', 'country'],
    ],
  },
  // https://experienceleague.adobe.com/en/docs/commerce-admin/stores-sales/order-management/orders/orders
  magento2: {
    platform: 'magento2',
    description:
      'Magento 2 / Adobe Commerce: Sales › Orders › Export › CSV. The export holds the grid’s visible columns: show Customer Email, Billing Address and Shipping Address (Columns menu) before exporting.',
    key: 'ID',
    subject: 'Customer Email',
    map: {
      'Customer Email': 'email',
      'Customer Name': 'name',
      'Bill-to Name': 'name',
      'Ship-to Name': 'name',
      'Billing Address': 'postal_address',
      'Shipping Address': 'postal_address',
    },
  },
  'tocsin-demo': {
    platform: 'tocsin-demo',
    description:
      "The orders.csv of Tocsin's demo shop. created_at is left unmapped: when an order was placed is not a category of personal data the notices speak of.",
    key: 'order_id',
    subject: 'email',
    locale: 'locale',
    country: 'country',
    region: 'region',
    map: {
      email: 'email',
      name: 'name',
      phone: 'phone',
      address: 'postal_address',
      imei: 'device_id',
      card_last4: 'payment_card_last4',
    },
  },
};

/**
 * Exports that look like a platform's but cannot serve: refused with what to use instead,
 * rather than imported as records nobody can be told about.
 */
interface UnfitExport {
  platform: string;
  /** Columns that together tell this export apart. */
  columns: readonly string[];
  reason: string;
}

// https://woocommerce.com/document/woocommerce-analytics/orders-report/ — its columns come from
// the Analytics orders export (Date, Order #, Status, Customer, Customer type, Product(s), …).
const UNFIT_EXPORTS: readonly UnfitExport[] = [
  {
    platform: 'woocommerce',
    columns: ['Order #', 'Customer type'],
    reason:
      'this is WooCommerce’s Analytics › Orders download, which has no customer email column, so nobody in it could be told',
  },
];

/** The presets of `platform` (a platform's name, or a preset's own), in the order detection tries them. */
export function presetsOf(platform: string): string[] {
  if (Object.hasOwn(PRESETS, platform) && PRESETS[platform].platform !== platform) return [platform];
  return Object.keys(PRESETS).filter((name) => PRESETS[name].platform === platform);
}

/** The names `--preset` takes: platforms with several presets, and every preset. */
export function presetNames(): string[] {
  const platforms = Object.values(PRESETS).map((preset) => preset.platform);
  return [...new Set([...platforms, ...Object.keys(PRESETS)])];
}

/** Why a file with `header` cannot serve as `platform`'s export, or null. */
export function unfitExport(platform: string, header: readonly string[]): string | null {
  const unfit = UNFIT_EXPORTS.find((e) => e.platform === platform && e.columns.every((column) => header.includes(column)));
  return unfit?.reason ?? null;
}

/** One preset as the console's picker lists it (snake_case on the wire): the export, its key and email columns, and every column it reads. */
export interface PresetView {
  name: string;
  platform: string;
  description: string;
  key: string;
  subject: string;
  columns: { column: string; category: Category }[];
}

/** Every preset, in the order `import --help` lists them. */
export function presetViews(): PresetView[] {
  return Object.entries(PRESETS).map(([name, preset]) => ({
    name,
    platform: preset.platform,
    description: preset.description,
    key: preset.key,
    subject: preset.subject,
    columns: Object.entries(preset.map).map(([column, category]) => ({ column, category })),
  }));
}

/** Every preset's columns and where its export comes from, as `import --help` lists them. */
export function presetsHelp(): string {
  return Object.entries(PRESETS)
    .map(([name, preset]) => {
      const roles = [`key ${preset.key}`, `email ${preset.subject}`];
      for (const role of ['locale', 'country', 'region'] as const) if (preset[role] !== undefined) roles.push(`${role} ${preset[role]}`);
      const columns = Object.entries(preset.map).map(([column, category]) => `${column} → ${category}`);
      return `  ${name}\n    ${preset.description.replaceAll('\n', '\n    ')}\n    ${roles.join('; ')}\n    ${columns.join(', ')}`;
    })
    .join('\n\n');
}
