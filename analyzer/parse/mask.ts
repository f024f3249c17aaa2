/**
 * The text tree-sitter is given: the file with its annotation macros (tables/annotations.ts)
 * blanked, the `struct` of a type argument (`container_of(p, struct foo, m)`) blanked, a type of
 * several words as `min_t()`'s first argument joined into one identifier, and a preprocessor
 * conditional in the middle of an expression reduced to its first branch, character for character,
 * so every position is the file's own. Nodes are read from the file's text as usual; only the
 * grammar's view changes.
 */
import { ANNOTATION_CALLS, ANNOTATION_WORDS, TYPE_ARGUMENT_MACROS, TYPE_FIRST_MACROS } from '../tables/annotations';

// an argument list may hold one level of parentheses (`__releases(&(q)->lock)`)
const MASK = new RegExp(
  `\\b(?:(?:${ANNOTATION_CALLS.join('|')})[ \\t]*\\((?:[^()\\n]|\\([^()\\n]*\\))*\\)|(?:${ANNOTATION_WORDS.join('|')})\\b)`,
  'g',
);

/** `text` with its annotations blanked (the same string when it has none). */
export function maskAnnotations(text: string): string {
  MASK.lastIndex = 0;
  if (!MASK.test(text)) return text;
  MASK.lastIndex = 0;
  return text.replace(MASK, (m) => ' '.repeat(m.length));
}

const DIRECTIVE = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b[^\n]*/gm;
/** What a line in the middle of an expression ends with (`bio_alloc(bdev, n,`, `flags |`, `x =`). */
const OPEN_END = /(?:[(,|&+\-=?<>!]|[^/]\*)[ \t]*$/;

/**
 * `bio_alloc(bdev, n,\n#ifdef CONFIG_X\n REQ_OP_WRITE | REQ_FUA,\n#else\n REQ_OP_WRITE,\n#endif\n
 * GFP_NOIO)`: the grammar takes conditionals between statements and declarations, not inside an
 * argument list or an expression, where one leaves syntax errors and loses the call. Such a
 * conditional (its previous line ends inside an expression) keeps its first branch; its directive
 * lines and the other branches are blanked. Conditionals between statements are the analyzer's
 * (every branch is a path).
 */
export function maskMidExpressionConditionals(text: string): string {
  if (text.indexOf('#') < 0) return text;
  type Group = { mid: boolean; ifAt: [number, number]; restFrom?: number };
  const stack: Group[] = [];
  const blanks: [number, number][] = [];
  DIRECTIVE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DIRECTIVE.exec(text)) !== null) {
    const at = m.index;
    const end = at + m[0].length;
    const kind = m[1];
    if (kind.startsWith('if')) {
      // the previous line with code on it (not a directive: `#if A` then `#ifdef B` inside an argument list)
      let k = at - 1;
      let prev = '';
      while (k > 0) {
        const ls = text.lastIndexOf('\n', k - 1) + 1;
        prev = text.slice(ls, k);
        if (prev.trim() !== '' && !/^[ \t]*#/.test(prev)) break;
        prev = '';
        k = ls - 1;
      }
      stack.push({ mid: OPEN_END.test(prev), ifAt: [at, end] });
    } else if (kind === 'endif') {
      const g = stack.pop();
      if (g?.mid) {
        blanks.push(g.ifAt);
        blanks.push([g.restFrom ?? at, end]);
      }
    } else {
      const g = stack[stack.length - 1];
      if (g && g.restFrom === undefined) g.restFrom = at;
    }
  }
  if (blanks.length === 0) return text;
  blanks.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [s0, e] of blanks) {
    if (e <= at) continue;
    const s1 = Math.max(s0, at);
    parts.push(text.slice(at, s1), text.slice(s1, e).replace(/[^\n]/g, ' '));
    at = e;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

const TYPE_ARG_CALL = new RegExp(`\\b(?:${TYPE_ARGUMENT_MACROS.join('|')})[ \\t]*\\((?:[^()]|\\([^()]*\\))*\\)`, 'g');
const TAG_KEYWORD = /\b(?:struct|union)\b/g;

/** `container_of(bio, struct foo_io, bio)` as `container_of(bio,        foo_io, bio)` for the grammar. */
export function maskTypeArguments(text: string): string {
  if (!/\b(?:container_of|_entry|offsetof|sizeof_field)/.test(text)) return text;
  TYPE_ARG_CALL.lastIndex = 0;
  return text.replace(TYPE_ARG_CALL, (m) => m.replace(TAG_KEYWORD, (k) => ' '.repeat(k.length)));
}

const TYPE_FIRST_CALL = new RegExp(`\\b(?:${TYPE_FIRST_MACROS.join('|')})([ \\t]*\\()([^,()]*),`, 'g');

/** `min_t(unsigned int, a, b)` as `min_t(unsigned_int, a, b)`: a type of several words or with `*` as one identifier. */
export function maskTypeFirstArguments(text: string): string {
  if (!/\b(?:min_t|max_t|clamp_t)\b/.test(text)) return text;
  TYPE_FIRST_CALL.lastIndex = 0;
  return text.replace(TYPE_FIRST_CALL, (m, open: string, type: string) => {
    const t = type.trim();
    // (on one line: rows stay the file's)
    if (!/[ \t*]/.test(t) || !/^[A-Za-z_][\w \t*]*$/.test(t)) return m;
    const at = type.indexOf(t);
    const joined = `${type.slice(0, at)}${t.replace(/[ \t*]/g, '_')}${type.slice(at + t.length)}`;
    return `${m.slice(0, m.length - open.length - type.length - 1)}${open}${joined},`;
  });
}

/** What the parser is given for `text` (maskAnnotations, maskTypeArguments, maskTypeFirstArguments, maskMidExpressionConditionals). */
export function parserText(text: string): string {
  return maskMidExpressionConditionals(maskTypeFirstArguments(maskTypeArguments(maskAnnotations(text))));
}
