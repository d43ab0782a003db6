/**
 * Line numbers of JSON values by field path, so an error in `portfolio.positions[2].strike` can
 * name `p.json:14`. A small scanner over already-valid JSON (JSON.parse ran first): it records the
 * line where each value starts, keyed by a path like `positions[2].strike`.
 */
import { BadInputError } from './errors.js';

/** Map from field path (`a.b[3].c`, root `''`) to 1-based line number. */
export function jsonLines(text: string): Map<string, number> {
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
  const value = (path: string): void => {
    ws();
    lines.set(path, line);
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // ':'
        value(path ? `${path}.${key}` : key);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (let k = 0; ; k++) {
        value(`${path}[${k}]`);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (ch === '"') {
      str();
    } else {
      while (i < text.length && /[^\s,\]}]/.test(text[i])) i++;
    }
  };
  value('');
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
export function lineAt(text: string, offset: number): number {
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
