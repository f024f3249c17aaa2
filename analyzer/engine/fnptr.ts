/**
 * Function-pointer slots of a file, read from its text.
 *
 * Kernel code reaches much of its I/O through function pointers filled in the same file: an ops
 * table (`static const struct foo_ops gen2_ops = { .push = gen2_push };` and then
 * `fd->ops->push(fd, buf, len)`), a member set at probe time (`priv->xfer = foo_xfer_dma;`), or a
 * file-scope pointer (`static int (*submit_fn)(void *, size_t) = foo_submit;`). A slot is the
 * member's or the variable's name; its targets are the functions of this file stored into it.
 * A call through `x->push(…)`, `x.push(…)`, `submit_fn(…)` or `(*submit_fn)(…)` may run any of
 * them (interp `call()`; the scan's file graph treats the slot as a reference to them).
 *
 * Slots are by name only: the member's struct type is not known where the call is made without
 * the headers. A slot with more than MAX_SLOT_TARGETS functions (a name every ops table of the
 * file has, `.open`, `.release`) is left out: such a call stays an unknown call.
 */

/** More targets than this and the slot is not followed. */
export const MAX_SLOT_TARGETS = 4;

const STORE = /=[ \t]*&?[ \t]*([A-Za-z_]\w*)[ \t]*(?=[,;}\r\n])/g;

function isId(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}

function skipBack(text: string, i: number): number {
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i--;
  return i;
}

/** Start of the parenthesised group whose `)` is at `i`, or -1. */
function openOf(text: string, i: number): number {
  let depth = 0;
  for (let k = i; k >= 0 && i - k < 2000; k--) {
    const c = text.charCodeAt(k);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return k;
    else if (c === 59 || c === 123 || c === 125) return -1;
  }
  return -1;
}

/** The identifier ending at `e` (inclusive): [start, name], or undefined. */
function idBefore(text: string, e: number): [number, string] | undefined {
  let s = e;
  while (s >= 0 && isId(text.charCodeAt(s))) s--;
  if (s === e) return undefined;
  const c = text.charCodeAt(s + 1);
  if (c >= 48 && c <= 57) return undefined;
  return [s + 1, text.slice(s + 1, e + 1)];
}

/**
 * The slot a store `… = fn` at `eq` (the `=`) fills: a member (`.m = fn`, `->m = fn`), a variable
 * (`v = fn`), or a function-pointer declarator (`(*v)(…) = fn`). Compound and comparison
 * operators (`+=`, `==`, `<=`) are not stores of a pointer.
 */
function slotAt(text: string, eq: number): string | undefined {
  const prev = text.charCodeAt(eq - 1);
  if (prev === 61 || prev === 33 || prev === 60 || prev === 62 || prev === 43 || prev === 45 || prev === 42 || prev === 47 || prev === 37 || prev === 38 || prev === 124 || prev === 94) return undefined;
  if (text.charCodeAt(eq + 1) === 61) return undefined;
  let e = skipBack(text, eq - 1);
  if (text.charCodeAt(e) === 41) {
    // `(*name)(params) = fn`
    const params = openOf(text, e);
    if (params < 0) return undefined;
    e = skipBack(text, params - 1);
    if (text.charCodeAt(e) !== 41) return undefined;
    const open = openOf(text, e);
    if (open < 0) return undefined;
    const m = /^\(\s*\*\s*([A-Za-z_]\w*)\s*\)$/.exec(text.slice(open, e + 1));
    return m?.[1];
  }
  const id = idBefore(text, e);
  return id?.[1];
}

/**
 * Slots of `text` and the functions (those `isFunction` accepts) stored into each. Members and
 * variables share the namespace: a call `x->m(…)` looks up `m`, a call `v(…)` looks up `v`.
 */
export function pointerSlots(text: string, isFunction: (name: string) => boolean): Map<string, string[]> {
  const found = new Map<string, Set<string>>();
  STORE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = STORE.exec(text)) !== null) {
    const fn = m[1];
    if (!isFunction(fn)) continue;
    const slot = slotAt(text, m.index);
    if (!slot || slot === fn) continue;
    let set = found.get(slot);
    if (!set) found.set(slot, (set = new Set()));
    set.add(fn);
  }
  const out = new Map<string, string[]>();
  for (const [slot, fns] of found) if (fns.size <= MAX_SLOT_TARGETS) out.set(slot, [...fns].sort());
  return out;
}
