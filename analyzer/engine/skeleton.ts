/**
 * The file-wide facts analyze.ts gathers before the rounds: the functions, the number of syntax
 * error nodes, the #defines and one-call macros, and per function the calls it makes (for the
 * op values passed at in-file call sites) and the invalidate_kernel_vmap_range() arguments.
 *
 * All of it is a function of each function definition's subtree and text, plus the few nodes
 * outside functions. One pre-order walk visits the nodes outside function definitions; a function
 * definition's subtree contributes its part as a whole (in pre-order, so the order of functions
 * and #defines is that of a walk of every node). With a SkeletonCache (kept in the document's
 * AnalysisMemo) a definition whose node object and text are unchanged since the last analysis (the
 * editor engine reuses unchanged top-level subtrees, only moving them) is not walked again: its
 * FunctionInfo objects are the same as before, so their per-function caches carry over too.
 */
import { SNode, child, countErrors, descendants } from '../parse/syntax';
import { FunctionInfo, bodyNodes, collectFunctions } from './tu';

/** An object-like #define with a value, or a function-like macro whose body is one call. */
export type PreprocItem =
  | { kind: 'define'; name: string; value: string }
  | { kind: 'macro'; name: string; callee: string; argParams: (number | null)[]; body: MacroBody }
  /** a statement macro: `do { … } while (0)`, or a statement expression `({ … })` (`value`) */
  | { kind: 'block'; name: string; body: MacroBody; value?: boolean };

/**
 * Where a macro's body is in the file and its parameter names: a call's argument that is more than
 * a parameter (`vmalloc_to_page(p)`, `PAGE_SIZE`) is evaluated from the body itself (interp).
 */
export interface MacroBody {
  start: number;
  end: number;
  row: number;
  params: string[];
  /** the body as written (what an incremental analysis compares: engine/memo.ts) */
  text: string;
}

/** A call by identifier inside a function body, with its arguments' texts (whitespace removed). */
export interface CallRec {
  callee: string;
  args: string[];
}

interface Part {
  text: string;
  fns: FunctionInfo[];
  errors: number;
  preproc: PreprocItem[];
}

export class SkeletonCache {
  readonly parts = new WeakMap<SNode, Part>();
  readonly calls = new WeakMap<FunctionInfo, CallRec[]>();
  readonly invalidates = new WeakMap<FunctionInfo, string[]>();
}

export interface Skeleton {
  fns: FunctionInfo[];
  errorNodes: number;
  preproc: PreprocItem[];
}

export function preprocItem(n: SNode, text: string): PreprocItem | undefined {
  if (n.type === 'preproc_def') {
    const nm = child(n, 'name');
    const v = child(n, 'value');
    return nm && v ? { kind: 'define', name: text.slice(nm.start, nm.end), value: text.slice(v.start, v.end).trim() } : undefined;
  }
  if (n.type !== 'preproc_function_def') return undefined;
  const nm = child(n, 'name');
  const ps = child(n, 'parameters');
  const v = child(n, 'value');
  if (!nm || !ps || !v) return undefined;
  const params = ps.children.filter((c) => c.type === 'identifier').map((c) => text.slice(c.start, c.end));
  const body: MacroBody = { start: v.start, end: v.end, row: v.sr, params, text: text.slice(v.start, v.end) };
  if (/^\s*do\b[\s\S]*\bwhile\s*\(\s*0\s*\)\s*;?\s*$/.test(body.text)) return { kind: 'block', name: text.slice(nm.start, nm.end), body };
  if (/^\s*\(\s*\{[\s\S]*\}\s*\)\s*$/.test(body.text)) return { kind: 'block', name: text.slice(nm.start, nm.end), body, value: true };
  // `callee(arg, …)` where each argument is a parameter, optionally parenthesised, or a constant
  const m = /^\s*\(?\s*([A-Za-z_]\w*)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*\)?\s*;?\s*$/.exec(text.slice(v.start, v.end).replace(/\\\n/g, ' '));
  if (!m) return undefined;
  const argParams = m[2].split(',').map((a) => {
    const id = a.trim().replace(/^\((.*)\)$/, '$1').trim();
    const i = params.indexOf(id);
    return i >= 0 ? i : null;
  });
  return argParams.some((i) => i !== null) ? { kind: 'macro', name: text.slice(nm.start, nm.end), callee: m[1], argParams, body } : undefined;
}

function partOf(n: SNode, text: string, cache: SkeletonCache | undefined): Part {
  const t = text.slice(n.start, n.end);
  const cached = cache?.parts.get(n);
  if (cached && cached.text === t) return cached;
  const preproc: PreprocItem[] = [];
  for (const d of descendants(n)) {
    const it = preprocItem(d, text);
    if (it) preproc.push(it);
  }
  const part: Part = { text: t, fns: collectFunctions(n, text), errors: countErrors(n), preproc };
  cache?.parts.set(n, part);
  return part;
}

export function skeleton(root: SNode, text: string, cache?: SkeletonCache): Skeleton {
  const out: Skeleton = { fns: [], errorNodes: 0, preproc: [] };
  const stack: SNode[] = [root];
  while (stack.length > 0) {
    const x = stack.pop() as SNode;
    if (x.type === 'function_definition') {
      const p = partOf(x, text, cache);
      out.fns.push(...p.fns);
      out.errorNodes += p.errors;
      out.preproc.push(...p.preproc);
      continue;
    }
    if (x.error) out.errorNodes++;
    const it = preprocItem(x, text);
    if (it) out.preproc.push(it);
    const c = x.children;
    for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
  }
  return out;
}

/** Calls by identifier in f's body (nested definitions included, as a walk of the body finds them). */
export function callsOf(f: FunctionInfo, text: string, cache?: SkeletonCache): CallRec[] {
  const cached = cache?.calls.get(f);
  if (cached) return cached;
  const out: CallRec[] = [];
  for (const n of bodyNodes(f.body)) {
    if (n.type !== 'call_expression') continue;
    const fnNode = child(n, 'function');
    if (!fnNode || fnNode.type !== 'identifier') continue;
    const args = child(n, 'arguments')?.children.filter((c) => c.type !== 'comment') ?? [];
    out.push({ callee: text.slice(fnNode.start, fnNode.end), args: args.map((a) => text.slice(a.start, a.end).replace(/\s+/g, '')) });
  }
  cache?.calls.set(f, out);
  return out;
}

/** First-argument texts (whitespace removed) of f's invalidate_kernel_vmap_range() calls. */
export function invalidatesOf(f: FunctionInfo, text: string, cache?: SkeletonCache): string[] {
  const cached = cache?.invalidates.get(f);
  if (cached) return cached;
  const out: string[] = [];
  for (const n of bodyNodes(f.body)) {
    if (n.type !== 'call_expression') continue;
    const fnNode = child(n, 'function');
    if (fnNode && text.slice(fnNode.start, fnNode.end) === 'invalidate_kernel_vmap_range') {
      const a0 = child(n, 'arguments')?.children[0];
      if (a0) out.push(text.slice(a0.start, a0.end).replace(/\s+/g, ''));
    }
  }
  cache?.invalidates.set(f, out);
  return out;
}
