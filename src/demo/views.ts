import { snakeCaseKeys } from '../lib/snake-case.ts';
import type { DemoSummary } from './generate.ts';
import type { DemoReport } from './run-demo.ts';

// The wire shapes of the demo's results (snake_case keys).

export const demoShopView = (summary: DemoSummary, seconds: number) => ({ ...snakeCaseKeys(summary), seconds });

export const demoReportView = (report: DemoReport) => snakeCaseKeys(report);
