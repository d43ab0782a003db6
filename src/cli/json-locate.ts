/**
 * Line numbers of JSON values by field path, so an error in `portfolio.positions[2].strike` can
 * name `p.json:14`. A small scanner over already-valid JSON (JSON.parse ran first): it records the
 * line where each value starts, keyed by a path like `positions[2].strike`.
 */
import { BadInputError } from './errors.js';

/**
 * Deepest nesting of objects and arrays accepted in an input file. The formats read here need five
 * levels (`accounts[1].positions[0].instrument`); the bound keeps the paths (one string per value,
 * as long as its depth) small, and turns a hostile 100,000-deep file into a one-line error.
 */
export const MAX_JSON_DEPTH = 100;

/** One open object or array of the scan: its path, and for an array the index of the current element. */
interface Frame { path: string; array: boolean; index: number }

/**
 * Map from field path (`a.b[3].c`, root `''`) to 1-based line number. Iterative (an explicit stack,
 * no recursion), so depth cannot overflow the call stack.
 * @throws BadInputError naming `file` and the line when the nesting is deeper than {@link MAX_JSON_DEPTH}.
 */
export function jsonLines(text: string, file?: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const member = (parent: string): string => {
    ws();
    const key = str();
    ws();
    i++; // ':'
    return parent ? `${parent}.${key}` : key;
  };
  const stack: Frame[] = [];
  let path = '';
  // Each turn reads one value at `path`, then closes the containers that end after it.
  while (i <= text.length) {
    ws();
    lines.set(path, line);
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      i++;
      ws();
      if (text[i] === (ch === '{' ? '}' : ']')) {
        i++;
      } else {
        if (stack.length >= MAX_JSON_DEPTH) {
          throw new BadInputError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (no input here needs more than a few)`, { file, line });
        }
        stack.push({ path, array: ch === '[', index: 0 });
        path = ch === '[' ? `${path}[0]` : member(path);
        continue;
      }
    } else if (ch === '"') {
      str();
    } else {
      while (i < text.length && /[^\s,\]}]/.test(text[i])) i++;
    }
    // After a value: ',' opens the next member or element, '}' or ']' closes the innermost container.
    let next: string | undefined;
    while (stack.length > 0 && next === undefined) {
      ws();
      const top = stack[stack.length - 1];
      if (text[i++] === ',') next = top.array ? `${top.path}[${++top.index}]` : member(top.path);
      else stack.pop();
    }
    if (next === undefined) break;
    path = next;
  }
  return lines;
}

/** The line of the closest located ancestor of `path` (e.g. a missing field: its object's line). */
export function lineOf(lines: Map<string, number>, path: string): number | undefined {
  let p = path;
  for (;;) {
    const l = lines.get(p);
    if (l !== undefined) return l;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return lines.get('');
    p = p.slice(0, cut);
  }
}

/** 1-based line of a character offset (for JSON.parse's "at position N" messages). */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text[k] === '\n') line++;
  return line;
}

/**
 * Offset of a JSON.parse error: "at position N", or, for Node 20's `Unexpected token 'x', ..."<10
 * characters>x<10 characters>"... is not valid JSON` (no position), where that excerpt stands.
 */
function errorOffset(text: string, message: string): number | undefined {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const m = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!m) return undefined;
  const at = text.indexOf(m[3]);
  if (at < 0) return undefined;
  // A leading "..." means the excerpt starts 10 characters before the token (V8's context width).
  return at + (m[2] ? 10 : Math.max(0, m[3].indexOf(m[1])));
}

/** JSON.parse of a file's text, a syntax error reported as file:line. @throws BadInputError. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const lc = /line (\d+) column/.exec(message);
    const offset = errorOffset(text, message);
    const line = lc ? Number(lc[1]) : offset !== undefined ? lineAt(text, offset) : undefined;
    throw new BadInputError(`invalid JSON (${message.replace(/\s+/g, ' ')})`, { file, line });
  }
}
