/** Translation-unit facts gathered before the flow analysis: functions, parameters, declared types. */
import { SNode, child, descendants } from '../parse/syntax';

export interface VarType {
  /** struct/union/typedef name, e.g. "xfs_buf", "u32" */
  base: string;
  isStruct: boolean;
  ptr: number;
  array: boolean;
}

export interface ParamInfo {
  name: string;
  index: number;
  type: VarType;
}

export interface FunctionInfo {
  name: string;
  node: SNode;
  body: SNode;
  params: ParamInfo[];
  returnsPointer: boolean;
  /** `static`: every caller is in this file */
  isStatic: boolean;
  /** names of every function called inside (by identifier) */
  calls: Set<string>;
  /** every identifier mentioned (for relevance checks) */
  idents: Set<string>;
  /**
   * Names called through a pointer (`x->push(…)`, `(*fn)(…)`: the member or variable), for
   * fnptr.ts's slots; absent when there are none.
   */
  ptrCalls?: Set<string>;
}

/** Unwrap declarators down to the identifier, counting pointer levels and arrays. */
export function declaratorName(d: SNode | undefined, src: string): { name?: string; ptr: number; array: boolean; fn?: SNode } {
  let ptr = 0;
  let array = false;
  let fn: SNode | undefined;
  let cur = d;
  while (cur) {
    switch (cur.type) {
      case 'identifier':
      case 'field_identifier':
        return { name: src.slice(cur.start, cur.end), ptr, array, fn };
      case 'pointer_declarator':
        ptr++;
        cur = child(cur, 'declarator');
        break;
      case 'array_declarator':
        array = true;
        cur = child(cur, 'declarator');
        break;
      case 'function_declarator':
        fn = fn ?? cur;
        cur = child(cur, 'declarator');
        break;
      case 'init_declarator':
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        cur = child(cur, 'declarator') ?? cur.children.find((c) => c.type.endsWith('declarator') || c.type === 'identifier');
        break;
      default:
        return { ptr, array, fn };
    }
  }
  return { ptr, array, fn };
}

export function typeBase(t: SNode | undefined, src: string): { base: string; isStruct: boolean } {
  if (!t) return { base: '?', isStruct: false };
  if (t.type === 'struct_specifier' || t.type === 'union_specifier') {
    const n = child(t, 'name');
    return { base: n ? src.slice(n.start, n.end) : '?', isStruct: true };
  }
  return { base: src.slice(t.start, t.end).replace(/\s+/g, ' '), isStruct: false };
}

const bodyNodeCache = new WeakMap<SNode, SNode[]>();

/**
 * Every node of a function body in pre-order, walked once per body node: the pre-pass and the
 * interpreter ask for it about eight times per function, and each walk allocated the same array.
 * Keyed by the node object, which the trees never restructure (the editor engine reuses a subtree
 * whole or not at all).
 */
export function bodyNodes(body: SNode): SNode[] {
  let nodes = bodyNodeCache.get(body);
  if (!nodes) {
    nodes = descendants(body);
    bodyNodeCache.set(body, nodes);
  }
  return nodes;
}

export function collectFunctions(root: SNode, src: string): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (const n of descendants(root)) {
    if (n.type !== 'function_definition') continue;
    const body = child(n, 'body');
    const decl = declaratorName(child(n, 'declarator'), src);
    if (!body || !decl.name || !decl.fn) continue;
    const params: ParamInfo[] = [];
    const plist = child(decl.fn, 'parameters');
    let idx = 0;
    for (const p of plist?.children ?? []) {
      if (p.type !== 'parameter_declaration') continue;
      const d = declaratorName(child(p, 'declarator'), src);
      const tb = typeBase(child(p, 'type'), src);
      if (d.name) params.push({ name: d.name, index: idx, type: { ...tb, ptr: d.ptr, array: d.array } });
      idx++;
    }
    const calls = new Set<string>();
    const idents = new Set<string>();
    let ptrCalls: Set<string> | undefined;
    for (const x of bodyNodes(body)) {
      if (x.type === 'identifier') {
        const id = src.slice(x.start, x.end);
        idents.add(id);
        if (x.field === 'function' && x.parent?.type === 'call_expression') calls.add(id);
        // `(*fn)(…)`
        else if (x.parent?.type === 'pointer_expression' && x.parent.parent?.type === 'parenthesized_expression' && x.parent.parent.field === 'function') (ptrCalls ??= new Set()).add(id);
      } else if (x.type === 'field_identifier') {
        const id = src.slice(x.start, x.end);
        idents.add('.' + id);
        // `x->push(…)`, `ops.push(…)`
        if (x.parent?.type === 'field_expression' && x.parent.field === 'function') (ptrCalls ??= new Set()).add(id);
      }
    }
    // `static void *foo(…)`: the declarator chain has a pointer level above the function declarator.
    const returnsPointer = /^\s*\*/.test(src.slice(child(n, 'declarator')?.start ?? 0, decl.fn.start)) || decl.ptr > 0;
    const isStatic = n.children.some((c) => c.type === 'storage_class_specifier' && src.slice(c.start, c.end) === 'static');
    out.push({ name: decl.name, node: n, body, params, returnsPointer, isStatic, calls, idents, ...(ptrCalls ? { ptrCalls } : {}) });
  }
  return out;
}

/** Declared types of the locals of a function (flow-insensitive; later declarations shadow). */
export function localTypes(fn: FunctionInfo, src: string): Map<string, VarType> {
  const m = new Map<string, VarType>();
  for (const p of fn.params) m.set(p.name, p.type);
  for (const n of bodyNodes(fn.body)) {
    if (n.type !== 'declaration') continue;
    const tb = typeBase(child(n, 'type'), src);
    for (const d of n.children) {
      if (d.field !== 'declarator') continue;
      const dn = declaratorName(d, src);
      if (dn.name) m.set(dn.name, { ...tb, ptr: dn.ptr, array: dn.array });
    }
  }
  return m;
}

/** Leading whitespace of the line holding `offset`. */
export function indentAt(src: string, offset: number): string {
  const ls = src.lastIndexOf('\n', offset - 1) + 1;
  const m = /^[ \t]*/.exec(src.slice(ls, offset));
  return m ? m[0] : '';
}

export function lineStart(src: string, offset: number): number {
  return src.lastIndexOf('\n', offset - 1) + 1;
}
