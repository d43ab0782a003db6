/**
 * Which reader a dropped or opened file needs. Cboe's delayed-quotes download starts with an index
 * line carrying `Last:` and a `Date:` line (the same test as the CLI's, src/cli/market-input.ts);
 * anything else is read as a Deribit snapshot, whose reader names the first bad row if it is not one.
 */
export type DemoChainFormat = 'deribit' | 'cboe';

/** `'cboe'` for Cboe's layout (blank lines before the two header lines ignored), else `'deribit'`. */
export function sniffChainFormat(text: string): DemoChainFormat {
  const head = text.slice(0, 2000).split(/\r?\n/).filter((l) => l.trim() !== '');
  return head.length >= 2 && /(^|,)\s*Last:/.test(head[0]) && /^"?\s*Date:/.test(head[1]) ? 'cboe' : 'deribit';
}
