import { describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { isCategory } from '../domain/index.ts';
import { parseMapEntries, resolveMapping, type MappingOptions } from './mapping.ts';
import { PART_SEPARATORS } from './mapping.ts';
import { PRESETS, presetsHelp, PRESTASHOP_ORDERS_QUERY } from './presets.ts';

/** Headers as the platforms write them; see presets.ts for where each comes from. */
const HEADERS: Record<string, string> = {
  shopify:
    'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,' +
    'Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,' +
    'Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,' +
    'Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,' +
    'Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,' +
    'Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,' +
    'Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,' +
    'Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,' +
    'Payment Terms Name,Next Payment Due At,Payment References',
  'woocommerce-webtoffee':
    'order_id,order_number,order_date,paid_date,status,shipping_total,shipping_tax_total,fee_total,fee_tax_total,tax_total,cart_discount,' +
    'order_discount,discount_total,order_total,order_subtotal,order_key,order_currency,payment_method,payment_method_title,transaction_id,' +
    'customer_ip_address,customer_user_agent,shipping_method,customer_id,customer_user,customer_email,billing_first_name,billing_last_name,' +
    'billing_company,billing_email,billing_phone,billing_address_1,billing_address_2,billing_postcode,billing_city,billing_state,' +
    'billing_country,shipping_first_name,shipping_last_name,shipping_company,shipping_phone,shipping_address_1,shipping_address_2,' +
    'shipping_postcode,shipping_city,shipping_state,shipping_country,customer_note,wt_import_key,shipping_items,fee_items,tax_items,' +
    'coupon_items,refund_items,order_notes,download_permissions,line_item_1,line_item_2',
  // The plugin's default fields, in its order, with "Address 1&2" as it offers by default.
  'woocommerce-algolplus':
    'Order Number,Order Status,Order Date,Customer Note,First Name (Billing),Last Name (Billing),Full Name (Billing),Company (Billing),' +
    'Address 1&2 (Billing),City (Billing),State Code (Billing),Postcode (Billing),Country Code (Billing),Email (Billing),Phone (Billing),' +
    'First Name (Shipping),Last Name (Shipping),Full Name (Shipping),Address 1&2 (Shipping),City (Shipping),State Code (Shipping),' +
    'Postcode (Shipping),Country Code (Shipping),Payment Method Title,Cart Discount Amount,Order Subtotal Amount,Shipping Method Title,' +
    'Order Shipping Amount,Order Refund Amount,Order Total Amount,Order Total Tax Amount,SKU,Item #,Item Name,Quantity (- Refund),Item Cost,Coupon Code',
  // A new WooCommerce Orders export's three fields, then every field of the Customer section, as
  // the plugin names them (libraries/XmlExportWooCommerceOrder.php, available_customer_data).
  'woocommerce-wpallexport':
    'Order ID,Order Key,Title,Customer User ID,Customer Note,Billing First Name,Billing Last Name,Billing Company,Billing Address 1,' +
    'Billing Address 2,Billing City,Billing Postcode,Billing Country,Billing State,Billing Email Address,Customer Account Email Address,' +
    'Billing Phone,Shipping First Name,Shipping Last Name,Shipping Company,Shipping Address 1,Shipping Address 2,Shipping City,' +
    'Shipping Postcode,Shipping Country,Shipping State',
  // What the NDJSON reader makes of an order object of GET /wp-json/wc/v3/orders (top-level keys, then nested ones).
  'woocommerce-rest':
    'id,parent_id,number,order_key,created_via,version,status,currency,date_created,date_created_gmt,date_modified,discount_total,' +
    'shipping_total,total,total_tax,prices_include_tax,customer_id,customer_ip_address,customer_user_agent,customer_note,billing,shipping,' +
    'payment_method,payment_method_title,transaction_id,date_paid,date_completed,cart_hash,meta_data,line_items,tax_lines,shipping_lines,' +
    'fee_lines,coupon_lines,refunds,billing.first_name,billing.last_name,billing.company,billing.address_1,billing.address_2,billing.city,' +
    'billing.state,billing.postcode,billing.country,billing.email,billing.phone,shipping.first_name,shipping.last_name,shipping.company,' +
    'shipping.address_1,shipping.address_2,shipping.city,shipping.state,shipping.postcode,shipping.country,shipping.phone',
  prestashop: 'id_order,reference,email,firstname,lastname,company,address1,address2,postcode,city,state,country,phone,phone_mobile,locale',
  magento2:
    'ID,Purchase Point,Purchase Date,Bill-to Name,Ship-to Name,Grand Total (Base),Grand Total (Purchased),Status,Billing Address,' +
    'Shipping Address,Shipping Information,Customer Email,Customer Group,Subtotal,Shipping and Handling,Customer Name,Payment Method,Total Refunded',
  'tocsin-demo': 'order_id,email,name,phone,address,country,region,locale,imei,card_last4,created_at',
};
const header = (preset: string) => HEADERS[preset].split(',');

function usageErrorOf(run: () => unknown): TocsinError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TocsinError);
    expect((error as TocsinError).kind).toBe('invalid');
    return error as TocsinError;
  }
  throw new Error('expected a usage error');
}

describe('presets', () => {
  it.each(Object.keys(PRESETS))('%s resolves on the header of its export, mapping every column it lists', (name) => {
    expect(Object.keys(HEADERS)).toContain(name);
    const mapping = resolveMapping({ preset: name }, header(name));
    const preset = PRESETS[name];
    expect(mapping).toMatchObject({ preset: name, key: preset.key, subject: preset.subject });
    // AlgolPlus offers "Address 1&2" or the two lines apart: a header has one or the other.
    const offered = Object.entries(preset.map).filter(([column]) => name !== 'woocommerce-algolplus' || header(name).includes(column));
    expect(mapping.map).toEqual(Object.fromEntries(offered));
    expect(Object.values(preset.map).every(isCategory)).toBe(true);
    expect(Object.values(mapping.map)).toContain('email');
  });

  it.each(Object.keys(PRESETS))("%s: each group of parts is of one category, one that comes in parts, and the preset maps it", (name) => {
    for (const group of PRESETS[name].parts ?? []) {
      const categories = new Set(group.map((column) => PRESETS[name].map[column]));
      expect(categories.size).toBe(1);
      expect(Object.keys(PART_SEPARATORS)).toContain([...categories][0]);
    }
  });

  it.each(['woocommerce-webtoffee', 'woocommerce-algolplus', 'woocommerce-rest'])('--preset woocommerce tells %s from its header', (name) => {
    expect(resolveMapping({ preset: 'woocommerce' }, header(name)).preset).toBe(name);
  });

  it("refuses WooCommerce's Analytics orders download, which has no email, naming the exporters that work", () => {
    const analytics = 'Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales,Attribution'.split(',');
    const error = usageErrorOf(() => resolveMapping({ preset: 'woocommerce' }, analytics));
    expect(error.code).toBe('IMPORT_PRESET');
    expect(error.message).toContain("Analytics › Orders download, which has no customer email column");
    for (const name of ['woocommerce-webtoffee', 'woocommerce-algolplus', 'woocommerce-rest']) expect(error.message).toContain(name);
    expect(error.message).toContain("'Email (Billing)'");
    // A header no exporter fits is refused too, the same way, rather than read by the first.
    expect(usageErrorOf(() => resolveMapping({ preset: 'woocommerce' }, ['Order', 'Mail'])).message).toContain('the header fits none of the woocommerce exports');
  });

  it("lists every preset's columns and the PrestaShop query, for import --help", () => {
    const help = presetsHelp();
    for (const [name, preset] of Object.entries(PRESETS)) {
      expect(help).toContain(`  ${name}\n`);
      for (const [column, category] of Object.entries(preset.map)) expect(help).toContain(`${column} → ${category}`);
    }
    expect(PRESTASHOP_ORDERS_QUERY).toContain('JOIN ps_customer c');
  });

  it('takes locale, country and region from the preset when the export has them', () => {
    expect(resolveMapping({ preset: 'tocsin-demo' }, header('tocsin-demo'))).toMatchObject({ locale: 'locale', country: 'country', region: 'region' });
    expect(resolveMapping({ preset: 'shopify' }, header('shopify'))).toMatchObject({ locale: null, country: 'Billing Country', region: 'Billing Province' });
  });

  it("skips the preset's columns an export lacks, but not its key or subject", () => {
    const older = header('shopify').filter((column) => !column.startsWith('Shipping ') && column !== 'Billing Province');
    const mapping = resolveMapping({ preset: 'shopify' }, older);
    expect(mapping.region).toBeNull();
    expect(mapping.map['Shipping Phone']).toBeUndefined();
    expect(mapping.map['Billing Phone']).toBe('phone');

    const error = usageErrorOf(() => resolveMapping({ preset: 'magento2' }, header('magento2').filter((column) => column !== 'Customer Email')));
    expect(error.message).toContain("the magento2 preset expects a column 'Customer Email'");
    expect(error.message).toContain("'Bill-to Name'");
  });
});

describe('resolveMapping', () => {
  const demo = header('tocsin-demo');

  it('lets options override the preset: key, subject, and one column at a time of the map', () => {
    const mapping = resolveMapping({ preset: 'tocsin-demo', key: 'imei', map: { created_at: 'order_history', card_last4: 'payment_card_number' } }, demo);
    expect(mapping.key).toBe('imei');
    expect(mapping.subject).toBe('email');
    expect(mapping.map).toMatchObject({ created_at: 'order_history', card_last4: 'payment_card_number', name: 'name' });
  });

  it('maps only what it is told without a preset, and keeps the rule columns the header has', () => {
    const mapping = resolveMapping({ key: 'order_id', subject: 'email', map: { phone: 'phone' }, ruleColumns: ['imei', 'imei', 'serial'] }, demo);
    expect(mapping).toEqual({
      preset: null,
      key: 'order_id',
      subject: 'email',
      locale: null,
      country: null,
      region: null,
      map: { phone: 'phone' },
      parts: [],
      keep: ['imei'],
    });
  });

  it('names the columns of the header when a column is unknown, and a near miss', () => {
    const error = usageErrorOf(() => resolveMapping({ key: 'Order_ID', subject: 'email' }, demo));
    expect(error.code).toBe('IMPORT_COLUMN');
    expect(error.message).toContain("--key: there is no column 'Order_ID'; did you mean 'order_id'?");
    expect(error.message).toContain("The header has 11 columns: 'order_id', 'email', 'name'");
    expect(usageErrorOf(() => resolveMapping({ preset: 'tocsin-demo', locale: 'lang' }, demo)).message).toContain("--locale: there is no column 'lang'.");
    expect(usageErrorOf(() => resolveMapping({ preset: 'tocsin-demo', map: { Phone: 'phone' } }, demo)).message).toContain("--map: there is no column 'Phone'");
  });

  it('lists a header of thousands of columns in part, each name bounded and printable', () => {
    const header = ['order_id', 'email', `\x1b]0;owned\x07${'n'.repeat(100_000)}`, ...Array.from({ length: 3_000 }, (_, k) => `c${k}`)];
    const { message } = usageErrorOf(() => resolveMapping({ key: 'order', subject: 'email' }, header));
    expect(message).toContain(`The header has 3003 columns: 'order_id', 'email', '\uFFFD]0;owned\uFFFD${'n'.repeat(54)}…', 'c0',`);
    expect(message).toMatch(/'c45', 'c46', and 2953 more$/);
  });

  it('asks for the key and subject columns when neither option nor preset names them', () => {
    expect(usageErrorOf(() => resolveMapping({ subject: 'email' }, demo)).message).toMatch(/^say which column holds the record's key .* with --key COLUMN/);
    expect(usageErrorOf(() => resolveMapping({ key: 'order_id' }, demo)).message).toContain('--subject COLUMN');
  });

  it.each<[MappingOptions, string]>([
    [{ preset: 'shopify-plus' }, "unknown preset 'shopify-plus'; use one of shopify, woocommerce, prestashop, magento2, tocsin-demo"],
    [{ preset: 'tocsin-demo', map: { phone: 'telephone' } }, "--map phone=telephone: unknown category 'telephone'; use one of name, email, phone"],
    [{ preset: 'toString' }, "unknown preset 'toString'"],
  ])('refuses %j', (options, message) => {
    expect(usageErrorOf(() => resolveMapping(options, demo)).message).toContain(message);
  });

  it('refuses a column the header has twice, as its values would be ambiguous', () => {
    const error = usageErrorOf(() => resolveMapping({ key: 'id', subject: 'email' }, ['id', 'email', 'email']));
    expect(error.message).toContain("column 'email' appears 2 times in the header");
  });
});

describe('parseMapEntries', () => {
  it('splits at the last =, since column names may hold one', () => {
    expect(parseMapEntries(['Billing Phone=phone', 'a=b=email'])).toEqual({ 'Billing Phone': 'phone', 'a=b': 'email' });
  });

  it.each(['phone', '=phone', 'phone='])('refuses %j', (entry) => {
    expect(usageErrorOf(() => parseMapEntries([entry])).message).toContain('write COLUMN=CATEGORY');
  });
});
