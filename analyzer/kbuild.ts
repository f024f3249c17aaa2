/**
 * Which architectures a kernel source file can be built for, from the tree's own build files: the
 * kbuild Makefiles that name its object (`obj-$(CONFIG_FOO) += foo.o`, `foo-y += bar.o`, a
 * directory's `obj-$(CONFIG_BAR) += bar/` in its parent) and the Kconfig entries of those symbols
 * (`depends on X86 && PCI`, `if X86_PLATFORM_DEVICES`, the `if` around the `source` of their
 * Kconfig file). A file every one of whose build paths needs a symbol that is off on every
 * architecture with aliasing data caches (tables/arches.ts `kconfig`) — an x86-only camera
 * driver, i915 — cannot leave stale vmap-alias data on any machine it runs on: its cache-alias
 * findings become information, as those of `arch/x86/` code do (the vmalloc-linear-map rule is
 * wrong on every architecture and keeps its severity).
 *
 * The reading is deliberately partial and errs towards "can be built anywhere": a symbol it cannot
 * find or evaluate, an `else` branch, a `$(call …)`, a comparison (`FOO=y`) are all "may be on".
 * `COMPILE_TEST` is off: such builds only check that the code compiles (init/Kconfig v6.18.2
 * `config COMPILE_TEST`: "drivers … that are not intended to be used on the current platform").
 * Symbols are looked for in the `Kconfig*` files of the object's directory and its ancestors,
 * nearest first (kbuild convention: a driver's symbol is defined next to it or one level up).
 */
import * as fs from 'fs';
import * as path from 'path';
import { NON_ALIASING_ARCHES, nonAliasingArchOf } from './tables/arches';
import type { Finding } from './types';

/** Three-valued Kconfig truth: off on every aliasing architecture, on, or unknown. */
type Tri = 'n' | 'y' | '?';

/** One way the file gets built: every symbol must be on. */
type Path = readonly string[];

interface MakeLine { lhs: string; words: string[]; conds: string[] }

interface KconfigEntry { file: string; deps: string[] }

interface KconfigFile { entries: Map<string, KconfigEntry[]>; sources: { path: string; deps: string[] }[] }

export interface Confinement {
  /** The Kconfig symbols of aliasing-free architectures the file needs (`X86`). */
  archs: string[];
  /** The gating symbol and its dependency as read, for the message (`VIDEO_INTEL_IPU7`: `X86 && HAS_DMA`). */
  symbol: string;
  /** The Kconfig entry's dependency and file (relative to the tree); none when a Makefile names the architecture's symbol itself (`obj-$(CONFIG_X86) += x86/`). */
  depends?: string;
  where?: string;
}

const ARCH_OF_SYMBOL: ReadonlyMap<string, string> = new Map([...NON_ALIASING_ARCHES].flatMap(([arch, r]) => r.kconfig.map((k) => [k, arch] as const)));
const ARCH_SYMBOLS: ReadonlySet<string> = new Set(ARCH_OF_SYMBOL.keys());
const archOfSymbol = (k: string): string => ARCH_OF_SYMBOL.get(k) ?? k;
const MAX_DEPTH = 4;

/** Memoised reader of one kernel tree's kbuild Makefiles and Kconfig files. */
export class KbuildReader {
  private readonly texts = new Map<string, string | undefined>();
  private readonly makes = new Map<string, MakeLine[]>();
  private readonly kconfigs = new Map<string, KconfigFile>();
  private readonly values = new Map<string, { v: Tri; why?: Confinement }>();
  private readonly kconfigDirs = new Map<string, string[]>();

  constructor(readonly root: string) {}

  /** The tree containing `file` (the nearest directory above it with a kernel top Makefile). */
  static rootOf(file: string): string | undefined {
    let dir = path.dirname(path.resolve(file));
    for (;;) {
      let head = '';
      try {
        const fd = fs.openSync(path.join(dir, 'Makefile'), 'r');
        try {
          const b = Buffer.alloc(1024);
          head = b.toString('latin1', 0, fs.readSync(fd, b, 0, b.length, 0));
        } finally { fs.closeSync(fd); }
      } catch { /* none here */ }
      if (/^VERSION\s*=\s*\d/m.test(head) && /^PATCHLEVEL\s*=\s*\d/m.test(head)) return dir;
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  /**
   * Without a kernel tree above it (an out-of-tree module, a partial checkout scanned on its own):
   * the highest directory of the unbroken chain of kbuild directories (a Makefile or Kbuild in
   * each) from `file`'s up, so the module's own Makefile and Kconfig still say how it is built.
   */
  static moduleRootOf(file: string): string | undefined {
    const kbuildDir = (d: string) => ['Makefile', 'Kbuild'].some((n) => { try { return fs.statSync(path.join(d, n)).isFile(); } catch { return false; } });
    let dir = path.dirname(path.resolve(file));
    if (!kbuildDir(dir)) return undefined;
    for (let up = path.dirname(dir); up !== dir && kbuildDir(up); dir = up, up = path.dirname(dir)) { /* climb */ }
    return dir;
  }

  private read(p: string): string | undefined {
    if (this.texts.has(p)) return this.texts.get(p);
    let t: string | undefined;
    try {
      const st = fs.statSync(p);
      // build files are small; anything else is not one
      t = st.isFile() && st.size < 4 << 20 ? fs.readFileSync(p, 'latin1') : undefined;
    } catch { t = undefined; }
    this.texts.set(p, t);
    return t;
  }

  /** The assignments of a directory's kbuild file (`Kbuild` first, as kbuild reads it), with the `ifdef`s around them. */
  private makeLines(dir: string): MakeLine[] {
    const hit = this.makes.get(dir);
    if (hit) return hit;
    const text = this.read(path.join(dir, 'Kbuild')) ?? this.read(path.join(dir, 'Makefile')) ?? '';
    const out: MakeLine[] = [];
    const stack: (string | undefined)[] = [];
    for (const raw of text.replace(/\\\r?\n/g, ' ').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      let m: RegExpExecArray | null;
      if ((m = /^ifdef\s+CONFIG_(\w+)$/.exec(line)) || (m = /^ifeq\s*\(\s*\$[({]CONFIG_(\w+)[)}]\s*,\s*y\s*\)$/.exec(line)) || (m = /^ifneq\s*\(\s*\$[({]CONFIG_(\w+)[)}]\s*,\s*\)$/.exec(line))) {
        stack.push(m[1]);
        continue;
      }
      if (/^if(n?def|n?eq)\b/.test(line)) { stack.push(undefined); continue; }
      // the other branch of a test: no condition known (stays "may be built")
      if (/^else\b/.test(line)) { if (stack.length) stack[stack.length - 1] = undefined; continue; }
      if (/^endif\b/.test(line)) { stack.pop(); continue; }
      m = /^([\w.$(){}-]+)\s*(?::=|\+=|\?=|=)\s*(.*)$/.exec(line);
      if (!m) continue;
      out.push({ lhs: m[1], words: m[2].split(/\s+/).filter(Boolean), conds: stack.filter((c): c is string => c !== undefined) });
    }
    this.makes.set(dir, out);
    return out;
  }

  /**
   * The ways `target` (`foo.o` or `sub/`) of directory `dir` is built, each the symbols it needs;
   * `[[]]` when one needs nothing (or nothing could be read), `[]` when no kbuild line names it.
   */
  private pathsOf(dir: string, target: string, depth: number): Path[] {
    if (depth > 16) return [[]];
    const out: Path[] = [];
    for (const l of this.makeLines(dir)) {
      if (!l.words.includes(target) && !(target.endsWith('/') && l.words.includes(target.slice(0, -1)))) continue;
      let m: RegExpExecArray | null;
      if ((m = /^(?:obj|lib|core|libs|drivers|net)-\$[({]CONFIG_(\w+)[)}]$/.exec(l.lhs))) {
        for (const p of this.dirPaths(dir, depth)) out.push([...l.conds, m[1], ...p]);
      } else if (/^(?:obj|lib|core|libs|drivers|net)-[ym]$/.test(l.lhs)) {
        for (const p of this.dirPaths(dir, depth)) out.push([...l.conds, ...p]);
      } else if ((m = /^([\w-]+?)-(?:objs|y|m)$/.exec(l.lhs))) {
        // a composite object's parts, or a list other lines use as `$(gem-y)`
        const parts = [...this.pathsOf(dir, `${m[1]}.o`, depth + 1), ...this.pathsOf(dir, `$(${l.lhs})`, depth + 1)];
        for (const p of parts.length ? parts : [[]]) out.push([...l.conds, ...p]);
      } else if ((m = /^([\w-]+?)-\$[({]CONFIG_(\w+)[)}]$/.exec(l.lhs))) {
        const parts = this.pathsOf(dir, `${m[1]}.o`, depth + 1);
        for (const p of parts.length ? parts : [[]]) out.push([...l.conds, m[2], ...p]);
      } else {
        out.push([]); // a form not read (`$(call …)`, subdir-y, …): may be built whenever
      }
    }
    return out;
  }

  /** What building anything in `dir` needs: its parent's line for `dir/`; nothing at the tree's root or when no parent names it. */
  private dirPaths(dir: string, depth: number): Path[] {
    const rel = path.relative(this.root, dir);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return [[]];
    const parent = path.dirname(dir);
    const p = this.pathsOf(parent, `${path.basename(dir)}/`, depth + 1);
    // kbuild only enters directories a parent names; one that is not named is built from an
    // ancestor's kbuild file (i915's `gem/i915_gem_object.o`): the ancestor's condition
    return p.length ? p : this.dirPaths(parent, depth + 1);
  }

  /**
   * One Kconfig file read once: its `config NAME` entries, each with its own `depends on` and the
   * `if`/`menu`/`choice` conditions around it; and the files it sources (paths from the tree's top),
   * each with the `if` conditions around the line.
   */
  private kconfigOf(file: string): KconfigFile {
    const hit = this.kconfigs.get(file);
    if (hit) return hit;
    const entries = new Map<string, KconfigEntry[]>();
    const sources: { path: string; deps: string[] }[] = [];
    const blocks: { kind: 'if' | 'menu' | 'choice'; deps: string[] }[] = [];
    let cur: { name?: string; deps: string[] } | undefined;
    const close = (): void => {
      if (cur?.name) {
        const list = entries.get(cur.name) ?? [];
        list.push({ file, deps: [...blocks.flatMap((b) => b.deps), ...cur.deps] });
        entries.set(cur.name, list);
      }
      cur = undefined;
    };
    for (const line of kconfigLines(this.read(file) ?? '')) {
      let m: RegExpExecArray | null;
      if ((m = /^(?:menu)?config\s+(\w+)/.exec(line))) { close(); cur = { name: m[1], deps: [] }; continue; }
      if ((m = /^if\s+(.+)$/.exec(line))) { close(); blocks.push({ kind: 'if', deps: [m[1]] }); continue; }
      // a menu's or choice's own `depends on` lines hold for what it contains
      if ((m = /^(menu|choice)\b/.exec(line))) { close(); const b = { kind: m[1] as 'menu' | 'choice', deps: [] as string[] }; blocks.push(b); cur = { deps: b.deps }; continue; }
      if (/^(endif|endmenu|endchoice)\b/.test(line)) { close(); blocks.pop(); continue; }
      if ((m = /^(o?)(r?)source\s+"([^"]+)"/.exec(line))) {
        // `source` paths are from the tree's top (Documentation/kbuild/kconfig-language.rst), `rsource` from the file's directory
        const src = m[3].replace(/^\$\(srctree\)\//, '');
        sources.push({ path: m[2] ? path.posix.join(this.rel(path.dirname(file)), src) : src, deps: blocks.filter((b) => b.kind === 'if').flatMap((b) => b.deps) });
      }
      if (/^(comment|source|rsource|osource|orsource|mainmenu)\b/.test(line)) { close(); continue; }
      if ((m = /^depends\s+on\s+(.+)$/.exec(line)) && cur) cur.deps.push(m[1]);
    }
    close();
    const out = { entries, sources };
    this.kconfigs.set(file, out);
    return out;
  }

  private kconfigFilesIn(dir: string): string[] {
    const hit = this.kconfigDirs.get(dir);
    if (hit) return hit;
    let names: string[] = [];
    try { names = fs.readdirSync(dir).filter((n) => /^Kconfig(\.\w+)?$/.test(n)).sort(); } catch { /* none */ }
    const out = names.map((n) => path.join(dir, n));
    this.kconfigDirs.set(dir, out);
    return out;
  }

  /** The conditions around the lines that `source` a Kconfig file, from its ancestors' Kconfig files (all of them: any may be the one read). */
  private sourcedUnder(file: string): { deps: string[]; file: string }[] {
    const rel = this.rel(file);
    const res: { deps: string[]; file: string }[] = [];
    let dir = path.dirname(path.dirname(file));
    for (let up = 0; up < 3 && !res.length && (dir === this.root || dir.startsWith(this.root + path.sep)); up++, dir = path.dirname(dir)) {
      for (const k of this.kconfigFilesIn(dir)) {
        for (const src of this.kconfigOf(k).sources) if (src.path === rel) res.push({ deps: src.deps, file: k });
      }
    }
    return res;
  }

  private rel(p: string): string {
    return path.relative(this.root, p).split(path.sep).join('/');
  }

  /** The value of a symbol on an aliasing architecture, with where that comes from when it is off. */
  private symbol(name: string, near: string, depth: number): { v: Tri; why?: Confinement } {
    if (ARCH_SYMBOLS.has(name)) return { v: 'n' };
    if (name === 'COMPILE_TEST') return { v: 'n' };
    if (depth > MAX_DEPTH) return { v: '?' };
    const key = `${name}\0${near}`;
    const hit = this.values.get(key);
    if (hit) return hit;
    this.values.set(key, { v: '?' }); // a cycle is unknown
    const found: KconfigEntry[] = [];
    for (let dir = near; ; dir = path.dirname(dir)) {
      for (const k of this.kconfigFilesIn(dir)) found.push(...(this.kconfigOf(k).entries.get(name) ?? []));
      if (found.length || dir === this.root || !dir.startsWith(this.root) || path.dirname(dir) === dir) break;
    }
    let res: { v: Tri; why?: Confinement } = { v: '?' };
    if (found.length) {
      // several definitions (per-architecture variants): off only when every one is
      let allOff = true;
      let why: Confinement | undefined;
      for (const e of found) {
        const outer = this.sourcedUnder(e.file);
        for (const w of outer.length ? outer : [{ deps: [], file: e.file }]) {
          const near = path.dirname(e.file);
          const own = e.deps.find((d) => this.expr(d, near, depth + 1) === 'n');
          // or the `if` around the line that sources this Kconfig file
          const offBy = own ?? w.deps.find((d) => this.expr(d, path.dirname(w.file), depth + 1) === 'n');
          if (offBy === undefined) { allOff = false; break; }
          why ??= { archs: this.archsIn(offBy, near, depth + 1), symbol: name, depends: offBy.trim(), where: this.rel(own !== undefined ? e.file : w.file) };
        }
        if (!allOff) break;
      }
      res = allOff && why ? { v: 'n', why } : { v: '?' };
    }
    this.values.set(key, res);
    return res;
  }

  /** The architecture symbols an expression that is off names, itself or through the symbols it names (`INTEL_ATOMISP` → `X86`). */
  private archsIn(expr: string, near: string, depth: number): string[] {
    const out = new Set<string>();
    for (const w of expr.match(/\w+/g) ?? []) {
      if (ARCH_SYMBOLS.has(w)) out.add(w);
      else for (const a of this.symbol(w, near, depth).why?.archs ?? []) out.add(a);
    }
    return [...out];
  }

  /** A `depends on` expression's value on an aliasing architecture. */
  private expr(text: string, near: string, depth: number): Tri {
    const toks = text.match(/&&|\|\||!=|[()!=<>]|[\w"'-]+/g) ?? [];
    let i = 0;
    const primary = (): Tri => {
      const t = toks[i++];
      if (t === undefined) return '?';
      if (t === '!') { const v = primary(); return v === 'n' ? 'y' : v === 'y' ? 'n' : '?'; }
      if (t === '(') { const v = or(); if (toks[i] === ')') i++; return v; }
      let v: Tri = t === 'y' ? 'y' : t === 'n' ? 'n' : /^\w+$/.test(t) && !/^\d/.test(t) && t !== 'm' ? this.symbol(t, near, depth).v : '?';
      // a comparison (`FOO=y`, `X86_64 != y`): unknown
      if (toks[i] === '=' || toks[i] === '!=' || toks[i] === '<' || toks[i] === '>') { i += 2; v = '?'; }
      return v;
    };
    const and = (): Tri => {
      let v = primary();
      while (toks[i] === '&&') { i++; const r = primary(); v = v === 'n' || r === 'n' ? 'n' : v === 'y' && r === 'y' ? 'y' : '?'; }
      return v;
    };
    const or = (): Tri => {
      let v = and();
      while (toks[i] === '||') { i++; const r = and(); v = v === 'y' || r === 'y' ? 'y' : v === 'n' && r === 'n' ? 'n' : '?'; }
      return v;
    };
    try {
      return or();
    } catch {
      return '?';
    }
  }

  /** Why `file` is built only for architectures whose caches do not alias, if it is. */
  confinementOf(file: string): Confinement | undefined {
    const abs = path.resolve(file);
    const dir = path.dirname(abs);
    const base = path.basename(abs);
    const obj = base.replace(/\.[cS]$/, '.o');
    let ways: Path[] = [];
    // the object as its directory's kbuild file names it, or an ancestor's (`gem/foo.o`)
    for (let d = dir, sub = obj; obj !== base && !ways.length; sub = `${path.basename(d)}/${sub}`, d = path.dirname(d)) {
      ways = this.pathsOf(d, sub, 0);
      if (d === this.root || !d.startsWith(this.root + path.sep)) break;
    }
    // a header, or a file no kbuild line names (#included by another): its directory's condition
    if (!ways.length) ways = this.dirPaths(dir, 0);
    let why: Confinement | undefined;
    for (const way of ways) {
      const off = way.map((s) => ({ s, r: this.symbol(s, dir, 0) })).find((x) => x.r.v === 'n');
      if (!off) return undefined;
      why ??= off.r.why ?? { archs: [off.s], symbol: off.s };
    }
    return why;
  }
}

/** A Kconfig file's lines, joined and trimmed, without comments and help texts (free text: "if you say Y…"). */
function* kconfigLines(text: string): Generator<string> {
  let helpIndent = -1; // -1: not in a help text; 0: in one, its indentation not seen yet
  let inHelp = false;
  for (const raw of text.replace(/\\\r?\n/g, ' ').split('\n')) {
    if (inHelp) {
      if (!raw.trim()) continue;
      const ind = indentOf(raw);
      if (helpIndent < 0) { helpIndent = ind; continue; }
      if (ind >= helpIndent) continue;
      inHelp = false;
    }
    const line = raw.replace(/#.*/, '').trim();
    if (/^(---)?help(---)?$/.test(line)) { inHelp = true; helpIndent = -1; continue; }
    if (line) yield line;
  }
}

function indentOf(line: string): number {
  let n = 0;
  for (const c of line) {
    if (c === ' ') n++;
    else if (c === '\t') n = (n + 8) & ~7;
    else break;
  }
  return n;
}


/** The rules whose hazard is the cache alias itself (a linear-map conversion is wrong everywhere). */
function cacheAliasRule(f: Finding): boolean {
  return f.rule !== 'vmalloc-linear-map' && f.rule !== 'vmap-blk-rq-map-kern';
}

/**
 * A finding, with a cache-alias one turned into information when `file` (its file on disk, by
 * default `f.file`; a patch review's is in its base) is built only for aliasing-free
 * architectures. `readers` keeps one reader per tree across calls; build files are read only for
 * files that have such a finding.
 */
export function confineFinding(f: Finding, readers: Map<string, KbuildReader | undefined>, file = f.file): Finding {
  if (!cacheAliasRule(f) || f.severity === 'info' || nonAliasingArchOf(file)) return f;
  const root = KbuildReader.rootOf(file) ?? KbuildReader.moduleRootOf(file);
  if (!root) return f;
  if (!readers.has(root)) readers.set(root, new KbuildReader(root));
  const c = readers.get(root)?.confinementOf(file);
  if (!c) return f;
  const archs = [...new Set(c.archs.map(archOfSymbol))].join('/') || `CONFIG_${c.symbol}`;
  const why = c.depends !== undefined ? `built only with CONFIG_${c.symbol}, which needs \`${c.depends}\` (${c.where}): ${archs} only` : `built only for ${archs} (CONFIG_${c.symbol})`;
  return {
    ...f,
    severity: 'info',
    message: `${f.message} (${why}, whose data caches do not alias, so the vmap-range calls are no-ops there and nothing goes stale; information for code shared with aliasing architectures)`,
  };
}

/** confineFinding() of each. */
export function confineFindings(findings: readonly Finding[], readers: Map<string, KbuildReader | undefined> = new Map()): Finding[] {
  return findings.map((f) => confineFinding(f, readers));
}
