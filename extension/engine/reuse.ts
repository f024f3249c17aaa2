/**
 * Rebuilding the SNode tree after an incremental re-parse without walking the whole new tree.
 * Walking a tree-sitter tree crosses into WASM for every field of every node; for a 2,000-line
 * file that costs more than the re-parse itself. After one edit, the top-level declarations that
 * tree-sitter reports as unchanged (outside every changed range and outside the edited text) are
 * the same subtrees as before, only moved: they are taken from the previous SNode tree and shifted
 * in place. Everything else is walked as usual. Pure: no `vscode`.
 */
import { buildSyntaxTree, CursorLike, SNode, shiftTree } from '../../analyzer/parse/syntax';
import type { EditLike } from './edits';

export interface RangeLike {
  startIndex: number;
  endIndex: number;
}

export interface ReuseStats {
  reused: number;
  walked: number;
}

function overlaps(s: number, e: number, a: number, b: number): boolean {
  // Touching counts: a node that ends where an insertion starts may have absorbed it.
  return s <= b && a <= e;
}


/**
 * The new SNode root for `cursor` (at the new tree's root), reusing top-level children of `prev`
 * (the SNode tree of the text before `edit`). `changed` are the new tree's changed ranges.
 * `prev` is consumed: its reused subtrees are moved into the result.
 */
export function rebuildWithReuse(cursor: CursorLike, prev: SNode, edit: EditLike, changed: readonly RangeLike[], stats?: ReuseStats): SNode {
  const sp = cursor.startPosition;
  const ep = cursor.endPosition;
  const root: SNode = {
    type: cursor.nodeType, field: cursor.currentFieldName ?? null,
    start: cursor.startIndex, end: cursor.endIndex, sr: sp.row, sc: sp.column, er: ep.row, ec: ep.column,
    children: [], parent: null,
  };
  if (root.type === 'ERROR' || cursor.nodeIsMissing) root.error = true;
  const dOff = edit.newEndIndex - edit.oldEndIndex;
  const dRow = edit.newEndPosition.row - edit.oldEndPosition.row;
  const oldByStart = new Map<number, SNode>();
  for (const c of prev.children) oldByStart.set(c.start, c);
  if (!cursor.gotoFirstChild()) return root;
  do {
    if (!cursor.nodeIsNamed && !cursor.nodeIsMissing) continue;
    const s = cursor.startIndex;
    const e = cursor.endIndex;
    let old: SNode | undefined;
    const untouched = !overlaps(s, e, edit.startIndex, edit.newEndIndex) && !changed.some((r) => overlaps(s, e, r.startIndex, r.endIndex));
    if (untouched) {
      if (e < edit.startIndex) old = oldByStart.get(s);
      else if (s > edit.newEndIndex && cursor.startPosition.row > edit.newEndPosition.row) old = oldByStart.get(s - dOff);
      if (old && (old.type !== cursor.nodeType || old.end + (s > edit.newEndIndex ? dOff : 0) !== e || old.field !== (cursor.currentFieldName ?? null))) old = undefined;
    }
    if (old) {
      if (s > edit.newEndIndex) shiftTree(old, dOff, dRow);
      old.parent = root;
      root.children.push(old);
      if (stats) stats.reused++;
    } else {
      const n = buildSyntaxTree(cursor);
      n.parent = root;
      root.children.push(n);
      if (stats) stats.walked++;
    }
  } while (cursor.gotoNextSibling());
  return root;
}
