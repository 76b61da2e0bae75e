// Front door of The synthetic shop and `tocsin demo`.
// Other folders and the adapters import this file, never the files behind it.
export { addDemoAdmin } from './admin.ts';
export { DEMO_BOUNTY } from './bounty-programme.ts';
export { copyDemo } from './copy-demo.ts';
export { generateDemoShop } from './generate.ts';
export { DEMO_NARRATIVES } from './narratives.ts';
export { COUNTRIES } from './people.ts';
export { runDemo } from './run-demo.ts';
export type { DemoWorkspace } from './workspace.ts';
export { DEMO_INCIDENT, DEMO_SHOP_ADDRESS } from './story.ts';
export type { Truth } from './truth.ts';
export { demoReportView, demoShopView } from './views.ts';
