// Front door of Records: importing the shop's orders (CSV, NDJSON), column maps and presets.
// Other folders and the adapters import this file, never the files behind it.
export { importCount, importRecords, listQuarantine } from './import.ts';
export { type ColumnMapping, parseMapEntries } from './mapping.ts';
export { presetNames, presetsHelp, presetViews, PRESTASHOP_ORDERS_QUERY } from './presets.ts';
export { addressedName, MAX_INDEXED_CHARS } from './record-assembler.ts';
export { quarantinedValueHash } from './store.ts';
export { parseEncoding } from './text-encoding.ts';
export { importView, quarantineView } from './views.ts';
