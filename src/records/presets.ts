import type { Category } from './categories.ts';

/**
 * The order exports of common shop platforms, by their real column names, so that most shops
 * import with `--preset NAME` alone. Presets classify who the customer is and how to reach
 * them; what they bought (line items, totals) is left unmapped, and --map can add it as
 * order_history. A column a preset lists but an export lacks is skipped, so one preset fits
 * the export's versions and optional columns; the key and subject columns must be there.
 */
export interface Preset {
  /** Which export this is and how to get it, for `--help` and error messages. */
  description: string;
  key: string;
  /** The column holding the customer's email address. */
  subject: string;
  locale?: string;
  country?: string;
  region?: string;
  map: Readonly<Record<string, Category>>;
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
  shopify: {
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
  },
  woocommerce: {
    description:
      'WooCommerce: WooCommerce › Export (the "Order Export & Order Import for WooCommerce" plugin), CSV with WooCommerce’s own field names. billing_email is the order’s address; customer_email that of the account, empty for guests.',
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
  },
  prestashop: {
    description: `PrestaShop: the orders export has no email column; run this query in Advanced Parameters › Database › SQL Manager and export its result:\n${PRESTASHOP_ORDERS_QUERY}`,
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
  },
  magento2: {
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
    description:
      'The orders.csv of `tocsin demo`. created_at is left unmapped: when an order was placed is not a category of personal data the notices speak of.',
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
