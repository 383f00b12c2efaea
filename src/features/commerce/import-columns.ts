/** The columns of each kind of CSV file: the importer, `hearth import --help` and the admin page read them from here. */

export const importKinds = ['orders', 'customers', 'products'] as const;
export type ImportKind = (typeof importKinds)[number];

export interface ColumnDoc {
  name: string;
  required: boolean;
  meaning: string;
}

/** The columns of each file, in the order of the documentation (a file may order them as it likes). */
export const importColumns: Record<ImportKind, ColumnDoc[]> = {
  customers: [
    { name: 'email', required: false, meaning: 'email address (email or external_id is required)' },
    { name: 'external_id', required: false, meaning: 'the customer id in the store; a second import updates the same customer' },
    { name: 'source', required: false, meaning: 'where the ids come from, e.g. shopify (default csv)' },
    { name: 'first_name', required: false, meaning: 'given name' },
    { name: 'last_name', required: false, meaning: 'family name' },
    { name: 'accepts_marketing', required: false, meaning: 'true/false, yes/no or 1/0' },
    { name: 'address_line', required: false, meaning: 'street address' },
    { name: 'postcode', required: false, meaning: 'postal code' },
    { name: 'country', required: false, meaning: 'country code, e.g. GB' },
  ],
  products: [
    { name: 'product_id', required: true, meaning: 'the product id in the store; one row per variant, rows of a product together' },
    { name: 'title', required: true, meaning: 'product title (on the first row of each product)' },
    { name: 'price', required: true, meaning: 'variant price as a decimal, e.g. 12.50 (1500 for yen)' },
    { name: 'currency', required: false, meaning: 'ISO 4217 code (default STORE_CURRENCY)' },
    { name: 'sku', required: false, meaning: 'variant SKU' },
    { name: 'variant_id', required: false, meaning: 'the variant id in the store' },
    { name: 'variant_title', required: false, meaning: 'e.g. Large / Blue' },
    { name: 'handle', required: false, meaning: 'URL handle' },
    { name: 'url', required: false, meaning: 'product page address' },
    { name: 'vendor', required: false, meaning: 'brand or maker' },
    { name: 'product_type', required: false, meaning: 'category' },
    { name: 'status', required: false, meaning: 'active, draft or archived' },
    { name: 'image_url', required: false, meaning: 'an image of the product (one per row)' },
    { name: 'source', required: false, meaning: 'where the ids come from (default csv)' },
  ],
  orders: [
    { name: 'order_id', required: true, meaning: 'the order id in the store; one row per line item, rows of an order together' },
    { name: 'placed_at', required: true, meaning: 'ISO 8601 date and time, e.g. 2025-03-01T10:00:00Z' },
    { name: 'currency', required: true, meaning: 'ISO 4217 code, e.g. GBP' },
    { name: 'quantity', required: true, meaning: 'whole number, 1 or more' },
    { name: 'unit_price', required: true, meaning: 'price of one item as a decimal, e.g. 12.50' },
    { name: 'sku', required: false, meaning: 'SKU of the item (sku or product_title is required)' },
    { name: 'product_title', required: false, meaning: 'name of the item' },
    { name: 'line_discount', required: false, meaning: 'discount on the line as a decimal' },
    { name: 'customer_email', required: false, meaning: 'buyer’s email address' },
    { name: 'customer_first_name', required: false, meaning: 'buyer’s given name' },
    { name: 'customer_last_name', required: false, meaning: 'buyer’s family name' },
    { name: 'name', required: false, meaning: 'order number customers see, e.g. #1001' },
    { name: 'shipping', required: false, meaning: 'order shipping as a decimal (first row of the order)' },
    { name: 'tax', required: false, meaning: 'order tax as a decimal' },
    { name: 'discount', required: false, meaning: 'order-level discount as a decimal' },
    { name: 'total', required: false, meaning: 'checked against lines + shipping + tax − discount when given' },
    { name: 'status', required: false, meaning: 'pending, paid (default), fulfilled (paid and shipped) or cancelled' },
    { name: 'source', required: false, meaning: 'where the ids come from (default csv)' },
  ],
};


/** `hearth import --help`: the columns of each kind of file, and what the command promises. */
export function importHelp(): string {
  const lines = [
    'Imports a CSV file (UTF-8, comma-separated, a header row naming the columns in any order; fields',
    'with commas, quotes or line breaks in double quotes, a quote doubled).',
    '',
    'All or nothing: the whole file is imported in one transaction. Every row is checked and every',
    'problem is reported by row number and column (the first 100); if there is any, nothing is imported.',
    'Records already known (same source and id) are left as they are, so importing a file again is',
    'harmless. Progress is shown on stderr. Exit status: 0 imported, 1 problems (nothing imported).',
    'Imported orders publish order.created/order.paid events like any other order.',
  ];
  for (const kind of importKinds) {
    lines.push('', `Columns of ${kind} (* required):`);
    const width = Math.max(...importColumns[kind].map((c) => c.name.length)) + 2;
    for (const c of importColumns[kind]) lines.push(`  ${(c.name + (c.required ? '*' : '')).padEnd(width)}${c.meaning}`);
  }
  lines.push('', 'Example (orders):', '  order_id,placed_at,currency,customer_email,sku,product_title,quantity,unit_price,shipping,status', '  1001,2025-03-01T10:00:00Z,GBP,ada@example.com,MUG-1,Mug,2,12.50,3.95,paid');
  return lines.join('\n');
}
