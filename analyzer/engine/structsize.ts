/**
 * Upper bounds of `sizeof(struct foo)` for the structs and unions a file defines, read lexically
 * from the whole file (a slice blanks the declarations between functions).
 *
 * What it is for: kvmalloc() and its kin fall back to vmalloc only above PAGE_SIZE
 * (tables/allocators.ts kvmallocFallback), so `kvzalloc(sizeof(*cmd), GFP_KERNEL)` of a small
 * command block is kmalloc memory, and handing it to sg_init_one() is fine. A bound is enough for
 * that: it is the sum of the members' bounds (a union: the largest), each member rounded up to
 * 8 bytes for padding, plus what alignment attributes can add. A member whose type is not known
 * (a typedef or struct from a header outside the tables/ctypes.ts list, a macro) leaves the whole
 * struct unbounded, and the allocation stays "possibly vmalloc".
 */
import { ALIGNMENT_PAD, KERNEL_STRUCT_BYTES, POINTER_BYTES, SCALAR_BYTES, TYPE_QUALIFIERS } from '../tables/ctypes';
import { ANNOTATION_CALLS, ANNOTATION_WORDS } from '../tables/annotations';
import { evalConst } from './consts';
import { splitTop } from './split';

interface Body { text: string; union: boolean }

const ANNOTATION_WORD_SET = new Set(ANNOTATION_WORDS);
const ANNOTATION_CALL_SET = new Set(ANNOTATION_CALLS);
/** a struct's padding and members are at most this many (a guard against pathological input) */
const MAX_MEMBERS = 4096;

/** The file's text with comments and string literals blanked (same length). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** A GCC attribute (`__attribute__((aligned(8)))`), whole. */
const ATTRIBUTE = /\b__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g;

/**
 * The member declarations of a struct or union body, trimmed, empty ones dropped; preprocessor
 * lines are blanked, so the members of every configuration count.
 */
function memberDecls(text: string): string[] {
  const bare = text.replace(/^[ \t]*#[^\n]*$/gm, (m) => ' '.repeat(m.length));
  return splitTop(bare, ';').map((d) => d.trim()).filter((d) => d.length > 0);
}

/** The index of the bracket closing the one at `open` (same kind), or -1. */
function closing(s: string, open: number): number {
  const o = s[open];
  const c = o === '{' ? '}' : o === '(' ? ')' : ']';
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === o) depth++;
    else if (s[i] === c && --depth === 0) return i;
  }
  return -1;
}

export class StructSizes {
  private static last: { text: string; sizes: StructSizes } | undefined;

  /**
   * The sizer of a file's text, kept for the next analysis of the same text: a scan analyzes a
   * file once per demand and per slice, and building one reads the whole file. Its answers depend
   * on the text alone.
   */
  static of(text: string): StructSizes {
    const l = StructSizes.last;
    if (l && l.text === text) return l.sizes;
    const sizes = new StructSizes(text);
    StructSizes.last = { text, sizes };
    return sizes;
  }

  private readonly bodies = new Map<string, Body>();
  private readonly defines = new Map<string, string>();
  private readonly memo = new Map<string, number | null>();

  constructor(text: string) {
    const src = stripComments(text);
    // object-like #defines (array lengths), continuation lines joined
    for (const m of src.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*((?:[^\n\\]|\\\r?\n|\\(?!\r?\n))*)$/gm)) {
      if (!this.defines.has(m[1])) this.defines.set(m[1], m[2].replace(/\\\r?\n/g, ' ').trim());
    }
    const re = /\b(struct|union)\s+([A-Za-z_]\w*)?\s*\{/g;
    for (let m = re.exec(src); m; m = re.exec(src)) {
      const open = m.index + m[0].length - 1;
      const close = closing(src, open);
      if (close < 0) break;
      const body: Body = { text: src.slice(open + 1, close), union: m[1] === 'union' };
      if (m[2] && !this.bodies.has(`${m[1]} ${m[2]}`)) this.bodies.set(`${m[1]} ${m[2]}`, body);
      // `typedef struct [tag] { … } name;`
      if (/\btypedef\s+$/.test(src.slice(Math.max(0, m.index - 40), m.index))) {
        const t = /^\s*([A-Za-z_]\w*)\s*;/.exec(src.slice(close + 1, close + 200));
        if (t && !this.bodies.has(`typedef ${t[1]}`)) this.bodies.set(`typedef ${t[1]}`, body);
      }
      // nested definitions are found by the same search from inside this one
      re.lastIndex = open + 1;
    }
  }

  /** sizeof(struct|union TAG), or of a typedef name when `kind` is 'typedef'; undefined when unbounded. */
  bound(kind: 'struct' | 'union' | 'typedef', name: string): number | undefined {
    const key = `${kind} ${name}`;
    if (this.memo.has(key)) return this.memo.get(key) ?? undefined;
    this.memo.set(key, null); // a cycle through a member by value cannot be sized
    const body = this.bodies.get(key);
    const v = body ? this.bodyBound(body) : kind === 'typedef' ? SCALAR_BYTES.get(name) ?? KERNEL_STRUCT_BYTES.get(name) : KERNEL_STRUCT_BYTES.get(name);
    this.memo.set(key, v ?? null);
    return v;
  }

  private bodyBound(body: Body): number | undefined {
    // both branches of a conditional count: a bound over every configuration
    const decls = memberDecls(body.text);
    if (decls.length > MAX_MEMBERS) return undefined;
    let total = 0;
    for (const d of decls) {
      const b = this.memberBound(d);
      if (b === undefined) return undefined;
      total = body.union ? Math.max(total, b) : total + b;
    }
    return total;
  }

  /** One member declaration (`u8 *a, b[4]`, `struct { … } x`, `union { … };`), padding included. */
  private memberBound(decl: string): number | undefined {
    let pad = 0;
    let d = decl;
    // attributes: removed, alignment kept as padding
    d = d.replace(ATTRIBUTE, (m) => {
      const a = /aligned\s*\(\s*(\d+)\s*\)/.exec(m);
      pad += a ? Number(a[1]) : /aligned/.test(m) ? 256 : 0;
      return ' ';
    });
    d = d.replace(/\b([A-Za-z_]\w*)\s*\(((?:[^()]|\([^()]*\))*)\)/g, (m, name: string, arg: string) => {
      if (!ANNOTATION_CALL_SET.has(name)) return m;
      if (name === '__aligned') pad += evalConst(arg, (id) => this.defines.get(id)) ?? 256;
      return ' ';
    });
    d = d.replace(/\b[A-Za-z_]\w*\b/g, (w) => {
      const p = ALIGNMENT_PAD.get(w);
      if (p !== undefined) {
        pad += p;
        return ' ';
      }
      return ANNOTATION_WORD_SET.has(w) ? ' ' : w;
    }).trim();
    if (d.length === 0) return pad;
    const brace = d.indexOf('{');
    let elem: number | undefined;
    let declarators: string[];
    if (brace >= 0) {
      // a nested struct or union, named or anonymous, possibly with declarators after it
      const head = /^(struct|union)\s*(?:[A-Za-z_]\w*)?\s*$/.exec(d.slice(0, brace).trim());
      const close = closing(d, brace);
      if (!head || close < 0) return undefined;
      elem = this.bodyBound({ text: d.slice(brace + 1, close), union: head[1] === 'union' });
      const rest = d.slice(close + 1).trim();
      declarators = rest ? splitTop(rest, ',') : [''];
    } else {
      const parts = splitTop(d, ',');
      const first = this.declarator(parts[0]);
      if (!first) return undefined;
      elem = this.typeBound(first.type);
      declarators = [first.decl, ...parts.slice(1)];
    }
    let total = pad;
    for (const raw of declarators) {
      const dc = raw.trim();
      // `void (*fn)(…)`, `int (*tbl)[4]`: a pointer
      if (/^\(\s*\*/.test(dc)) {
        total += POINTER_BYTES;
        continue;
      }
      const m = /^(\**)\s*(?:const\s+)?(?:[A-Za-z_]\w*)?\s*((?:\[[^\]]*\]\s*)*)(?::\s*.+)?$/.exec(dc);
      if (!m) return undefined;
      let size = m[1] ? POINTER_BYTES : elem;
      if (size === undefined) return undefined;
      for (const dim of m[2].match(/\[[^\]]*\]/g) ?? []) {
        const inner = dim.slice(1, -1).trim();
        // a flexible array member adds nothing to sizeof
        const n = inner === '' ? 0 : evalConst(inner, (id) => this.defines.get(id)) ?? (/^0+$/.test(inner) ? 0 : undefined);
        if (n === undefined) return undefined;
        size *= n;
      }
      total += Math.ceil(size / 8) * 8;
    }
    return total;
  }

  /** `unsigned long *a[4]` → type `unsigned long`, declarator `*a[4]`. */
  private declarator(part: string): { type: string; decl: string } | undefined {
    const fp = part.indexOf('(');
    if (fp >= 0) {
      // a function pointer: the type is what precedes `(*`
      if (!/^\(\s*\*/.test(part.slice(fp))) return undefined;
      return { type: part.slice(0, fp), decl: part.slice(fp) };
    }
    const m = /^(.*?)([\s*]*)\b([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*(?::\s*[^,]+)?)$/s.exec(part.trim());
    if (!m || !/[A-Za-z_]/.test(m[1])) return undefined;
    return { type: m[1], decl: `${m[2].replace(/\s+/g, '')}${m[3]}${m[4]}` };
  }

  /** The bound of one element of a type (`unsigned long`, `struct foo`, `u8`), or undefined. */
  private typeBound(type: string): number | undefined {
    const words = (type.match(/[A-Za-z_]\w*/g) ?? []).filter((w) => !TYPE_QUALIFIERS.has(w));
    if (words.length === 0) return undefined;
    if (words[0] === 'enum') return 4;
    if (words[0] === 'struct' || words[0] === 'union') {
      if (words.length !== 2) return undefined;
      // a variable's declared type says `struct` for unions too (engine/tu.ts typeBase)
      return this.bound(words[0], words[1]) ?? (words[0] === 'struct' && this.bodies.has(`union ${words[1]}`) ? this.bound('union', words[1]) : undefined);
    }
    if (words.every((w) => SCALAR_BYTES.has(w))) return Math.max(...words.map((w) => SCALAR_BYTES.get(w) as number));
    return words.length === 1 ? this.bound('typedef', words[0]) : undefined;
  }

  /** The bound of a type named as sizeofOperand() names it (`struct foo`, `u32`, `foo_t`). */
  typeSize(type: string): number | undefined {
    return this.typeBound(type);
  }

  /**
   * The declared type of member `name` of `struct T`/`union T`/typedef `T` (`kind T`), looked for
   * in anonymous nested structs and unions too: `u8 *buf` → { base: 'u8', ptr: 1, array: false }.
   * Undefined when the file does not define the aggregate or the member.
   */
  memberType(aggregate: string, name: string): DeclType | undefined {
    const body = this.bodies.get(aggregate);
    return body ? this.memberIn(body.text, name, 0) : undefined;
  }

  private memberIn(text: string, name: string, depth: number): DeclType | undefined {
    if (depth > 8) return undefined;
    for (const raw of memberDecls(text)) {
      const d = raw.replace(ATTRIBUTE, ' ').trim();
      if (!d) continue;
      const brace = d.indexOf('{');
      if (brace >= 0) {
        const close = closing(d, brace);
        if (close < 0) continue;
        const rest = d.slice(close + 1).trim();
        const head = /^(struct|union)\s*([A-Za-z_]\w*)?\s*$/.exec(d.slice(0, brace).trim());
        // an anonymous member's members are the outer one's
        if (!rest) {
          const t = this.memberIn(d.slice(brace + 1, close), name, depth + 1);
          if (t) return t;
          continue;
        }
        for (const dc of splitTop(rest, ',')) {
          const m = /^(\**)\s*([A-Za-z_]\w*)\s*(\[)?/.exec(dc.trim());
          if (m?.[2] === name) return { base: head?.[2] ?? '', isStruct: !!head, ptr: m[1].length, array: !!m[3] };
        }
        continue;
      }
      const parts = splitTop(d, ',');
      const first = this.declarator(parts[0]);
      if (!first) continue;
      const words = (first.type.match(/[A-Za-z_]\w*/g) ?? []).filter((w) => !TYPE_QUALIFIERS.has(w) && !ANNOTATION_WORD_SET.has(w));
      const isStruct = words[0] === 'struct' || words[0] === 'union';
      const base = isStruct ? words[1] ?? '' : words.join(' ');
      for (const dc of [first.decl, ...parts.slice(1)]) {
        const fp = /^\(\s*(\**)\s*([A-Za-z_]\w*)\s*\)/.exec(dc.trim());
        if (fp) {
          if (fp[2] === name) return { base, isStruct, ptr: Math.max(1, fp[1].length), array: false };
          continue;
        }
        const m = /^(\**)\s*(?:const\s+)?([A-Za-z_]\w*)\s*(\[)?/.exec(dc.trim());
        if (m?.[2] === name) return { base, isStruct, ptr: m[1].length, array: !!m[3] };
      }
    }
    return undefined;
  }

  /** Object-like #define of the file (for array lengths in sizes). */
  define(name: string): string | undefined {
    return this.defines.get(name);
  }
}

/** A variable's declared type, as the analyzer keeps it (engine/tu.ts VarType). */
export interface DeclType { base: string; isStruct: boolean; ptr: number; array: boolean }

/**
 * The type of `root.m1.m2…` (or through `->`): each member's type in the struct the one before it
 * is or points to (a single pointer, not an array); undefined as soon as one is not known.
 */
export function memberChainType(
  root: DeclType | undefined,
  members: readonly string[],
  memberOf?: (t: DeclType, member: string) => DeclType | undefined,
): DeclType | undefined {
  let t = root;
  for (const m of members) t = t && !t.array && t.ptr <= 1 && memberOf ? memberOf(t, m) : undefined;
  return t;
}

/**
 * What a `sizeof` operand measures: a pointer, or a type named as StructSizes.typeSize() takes it
 * (`struct foo` for `*cmd` of a `struct foo *cmd`, `u32`, `foo_t`); undefined when not known
 * (an array, an expression, a variable whose type the function does not declare). A member chain
 * (`d->buf`, `*c.ring->hdr`) is typed through `memberOf`, the file's struct definitions.
 */
export function sizeofOperand(
  operand: string,
  typeOf: (name: string) => DeclType | undefined,
  memberOf?: (t: DeclType, member: string) => DeclType | undefined,
): { pointer: true } | { type: string } | undefined {
  const o = operand.trim().replace(/^\((.*)\)$/s, '$1').trim();
  const deref = /^(\**)\s*([A-Za-z_]\w*)((?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*)$/.exec(o);
  const t = deref ? memberChainType(typeOf(deref[2]), deref[3].match(/[A-Za-z_]\w*/g) ?? [], memberOf) : undefined;
  if (deref && t) {
    if (t.array) return undefined;
    const level = t.ptr - deref[1].length;
    if (level > 0) return { pointer: true };
    if (level < 0) return undefined;
    return { type: t.isStruct ? `struct ${t.base}` : t.base };
  }
  if (deref?.[3]) return undefined;
  const m = /^((?:struct|union)\s+[A-Za-z_]\w*|[A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)\s*(\**)$/.exec(o);
  if (!m) return undefined;
  return m[2] ? { pointer: true } : { type: m[1].replace(/\s+/g, ' ') };
}
