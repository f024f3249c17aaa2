/**
 * A backend-neutral, plain-object syntax tree.
 *
 * The analyzer never touches tree-sitter nodes directly: both backends (web-tree-sitter and the
 * native binding) are walked once with a TreeCursor into these objects, so the rules see exactly
 * the same tree whichever parser produced it, and no WASM memory is held while analysing.
 * Anonymous tokens are dropped except operators, which are kept on their parent as `op`.
 */
export interface SNode {
  type: string;
  /** Field name under the parent (`function`, `arguments`, `left`, …), or null. */
  field: string | null;
  /** UTF-16 offsets into the source text (the same units as VS Code offsets). */
  start: number;
  end: number;
  /** 0-based row and UTF-16 column. */
  sr: number;
  sc: number;
  er: number;
  ec: number;
  children: SNode[];
  parent: SNode | null;
  /** Operator token of assignment/binary/unary/update/pointer expressions. */
  op?: string;
  /** True for ERROR and MISSING nodes. */
  error?: boolean;
  /** The text of a node of an expanded macro body, parameters replaced (engine/interp.ts expandMacro). */
  synth?: string;
}

/** The subset of a tree-sitter TreeCursor that both backends provide. */
export interface CursorLike {
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly nodeIsMissing: boolean;
  readonly currentFieldName: string | null | undefined;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  readonly endPosition: { row: number; column: number };
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
}

export const OPERATOR_PARENTS: ReadonlySet<string> = new Set([
  'assignment_expression', 'binary_expression', 'unary_expression', 'update_expression',
  'pointer_expression', 'field_expression',
]);

/** Walk the whole tree once, iteratively (kernel files nest deeply enough to matter). */
export function buildSyntaxTree(cursor: CursorLike): SNode {
  const make = (parent: SNode | null): SNode => {
    const sp = cursor.startPosition;
    const ep = cursor.endPosition;
    const n: SNode = {
      type: cursor.nodeType,
      field: cursor.currentFieldName ?? null,
      start: cursor.startIndex,
      end: cursor.endIndex,
      sr: sp.row, sc: sp.column, er: ep.row, ec: ep.column,
      children: [],
      parent,
    };
    if (n.type === 'ERROR' || cursor.nodeIsMissing) n.error = true;
    return n;
  };
  const root = make(null);
  let current = root;
  if (!cursor.gotoFirstChild()) return root;
  for (;;) {
    if (cursor.nodeIsNamed || cursor.nodeIsMissing) {
      const n = make(current);
      current.children.push(n);
      if (cursor.gotoFirstChild()) {
        current = n;
        continue;
      }
    } else if (OPERATOR_PARENTS.has(current.type) && (cursor.currentFieldName === 'operator' || current.type === 'field_expression')) {
      if (current.op === undefined) current.op = cursor.nodeType;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || current.parent === null) return root;
      current = current.parent;
    }
  }
}

/** Move a subtree parsed elsewhere by an offset and a number of rows (columns are unchanged). */
export function shiftTree(n: SNode, dOff: number, dRow: number): void {
  const stack: SNode[] = [n];
  while (stack.length) {
    const x = stack.pop() as SNode;
    x.start += dOff;
    x.end += dOff;
    x.sr += dRow;
    x.er += dRow;
    for (const c of x.children) stack.push(c);
  }
}

/** Source text of a node. */
export function textOf(src: string, n: SNode): string {
  return src.slice(n.start, n.end);
}

export function child(n: SNode, field: string): SNode | undefined {
  for (const c of n.children) if (c.field === field) return c;
  return undefined;
}

export function childrenOf(n: SNode, field: string): SNode[] {
  return n.children.filter((c) => c.field === field);
}

/**
 * The node and all its descendants in pre-order, as an array (no recursion: kernel files nest
 * deeply; no generator: this is on the analyzer's hot path).
 */
export function descendants(n: SNode): SNode[] {
  const out: SNode[] = [];
  const stack: SNode[] = [n];
  while (stack.length > 0) {
    const x = stack.pop() as SNode;
    out.push(x);
    const c = x.children;
    for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
  }
  return out;
}

/** Whether the subtree holds an ERROR or MISSING node (depth-first, stops at the first). */
export function hasErrorNode(n: SNode): boolean {
  const stack: SNode[] = [n];
  while (stack.length > 0) {
    const x = stack.pop() as SNode;
    if (x.error) return true;
    for (const c of x.children) stack.push(c);
  }
  return false;
}

export function countErrors(n: SNode): number {
  let k = 0;
  for (const d of descendants(n)) if (d.error && !macroLoopSemicolon(d)) k++;
  return k;
}

/**
 * The `;` the grammar finds missing after a statement-like macro loop's head
 * (`for_each_sg(sgl, sg, n, i) {`, `list_for_each_entry(p, head, node)` followed by its body): the
 * kernel's normal shape, which the analyzer reads as a loop, not damage worth a note.
 */
function macroLoopSemicolon(d: SNode): boolean {
  const st = d.parent;
  if (d.type !== ';' || !st || st.type !== 'expression_statement' || st.children[0]?.type !== 'call_expression') return false;
  const sibs = st.parent?.children ?? [];
  const next = sibs[sibs.indexOf(st) + 1];
  return next !== undefined && next.type !== ';' && !next.error && next.start >= st.end;
}
