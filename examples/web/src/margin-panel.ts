/**
 * Section 4 (slot): the margin risk matrix. riskwasm has no margin API yet, so this renders
 * nothing: the page shows no margin numbers until they come from the library.
 *
 * To wire it once the margin API lands (issue #4 [margin]):
 * 1. compute the margin of `context.example.portfolio` (or of a Deribit-style portfolio built from
 *    `context.chain`) with the engine: IM/MM, the worst scenario, liquidation prices;
 * 2. build the section (a heading, a table of IM/MM and the worst cell, and a chart div with
 *    `data-testid="margin-chart"`) inside `slot`;
 * 3. plot the matrix with `riskMatrixChart({ priceMoves, volShocks, pnl, worst, unit })` from
 *    `riskwasm/charts` via `showChart` (./charts), and return true.
 * main.ts already calls this after the VaR panel and passes everything it has.
 */
import type { DeribitChain, Engine, Surface } from 'riskwasm';
import type { ExamplePortfolio } from './example-portfolio';

export interface MarginContext {
  engine: Engine;
  chain: DeribitChain;
  surfaces: Partial<Record<'BTC' | 'ETH', Surface>>;
  example: ExamplePortfolio | null;
}

/**
 * Mount the margin panel into `slot`. Returns whether a panel was rendered: false while riskwasm
 * has no margin API (the slot stays empty).
 */
export function mountMarginPanel(slot: HTMLElement, context: MarginContext): boolean {
  void context;
  slot.replaceChildren();
  return false;
}
