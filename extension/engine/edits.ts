/**
 * VS Code content change → tree-sitter edit. Both sides count UTF-16 code units, so offsets and
 * characters carry over unchanged; only the new end point has to be computed from the inserted text.
 */
import type { ContentChange } from './protocol';

export interface PointLike {
  row: number;
  column: number;
}

export interface EditLike {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: PointLike;
  oldEndPosition: PointLike;
  newEndPosition: PointLike;
}

/** The point reached after inserting `text` at `start` (tree-sitter counts rows by '\n' only). */
export function advancePoint(start: PointLike, text: string): PointLike {
  const lastNl = text.lastIndexOf('\n');
  if (lastNl < 0) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: text.length - lastNl - 1 };
}

export function toTreeSitterEdit(change: ContentChange): EditLike {
  const startPosition = { row: change.startLine, column: change.startCharacter };
  return {
    startIndex: change.rangeOffset,
    oldEndIndex: change.rangeOffset + change.rangeLength,
    newEndIndex: change.rangeOffset + change.text.length,
    startPosition,
    oldEndPosition: { row: change.endLine, column: change.endCharacter },
    newEndPosition: advancePoint(startPosition, change.text),
  };
}

/**
 * Apply content changes to a string, in the order VS Code reports them (each range is relative to
 * the text after the previous changes). Used by tests and by the benchmark to mirror documents.
 */
export function applyChanges(text: string, changes: readonly ContentChange[]): string {
  let out = text;
  for (const c of changes) out = out.slice(0, c.rangeOffset) + c.text + out.slice(c.rangeOffset + c.rangeLength);
  return out;
}
