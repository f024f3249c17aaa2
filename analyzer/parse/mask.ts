/**
 * The text tree-sitter is given: the file with its annotation macros (tables/annotations.ts)
 * blanked, character for character, so every position is the file's own. Nodes are read from the
 * file's text as usual; only the grammar's view changes.
 */
import { ANNOTATION_CALLS, ANNOTATION_WORDS } from '../tables/annotations';

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
