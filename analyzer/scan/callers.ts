/**
 * The parts of a patch review's base context that need no scan (analyzer/scan/context.ts does the
 * scan): which directories of a base make up the subsystems of the files a series touches, and
 * which untouched `.c` files there call a given function. Light enough for the editor's analysis
 * worker, which takes summaries from its workspace scan instead (extension/engine/worker.ts).
 */
import { gitSync } from '../git';
import * as fs from 'fs';
import * as path from 'path';
import { readSourceBytes, walkPaths } from './files';
import { linkScope, wordsRegex } from './prefilter';
import { baseRelative } from './summaries';

/** The subsystems of `paths` (base-relative, `/`-separated): never the whole tree, never outside it. */
export function contextScopes(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const rel = p.replace(/\\/g, '/').replace(/^\.\//, '');
    if (rel.startsWith('/') || rel.split('/').includes('..')) continue;
    const scope = linkScope(rel);
    // a file at the root: no subsystem (the whole tree is not one)
    if (scope === '') continue;
    out.add(scope);
  }
  // a scope inside another one is searched with it
  const sorted = [...out].sort();
  return sorted.filter((s) => !sorted.some((o) => o !== s && s.startsWith(o)));
}

/**
 * What to read for the scopes of `paths` under `root`: a scope directory that exists, or for a
 * top-level scope (`fs/` for fs/buffer.c, `mm/`) its own `.c`/`.h` files, not every filesystem or
 * driver below it.
 */
export function scopeInputs(root: string, paths: readonly string[], includers: readonly string[] = []): { scopes: string[]; inputs: string[] } {
  const scopes = contextScopes([...paths, ...includers]).filter((s) => {
    try {
      return fs.statSync(path.join(root, s)).isDirectory();
    } catch {
      return false;
    }
  });
  const inputs = scopes.flatMap((s) => {
    const dir = path.join(root, s);
    if (s.split('/').filter(Boolean).length > 1) return [dir];
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.[ch]$/.test(e.name)).map((e) => path.join(dir, e.name)).sort();
    } catch {
      return [];
    }
  });
  return { scopes, inputs };
}

/**
 * How the kernel includes a header of an include directory: `include/linux/zlog.h` →
 * `linux/zlog.h`, `include/uapi/linux/x.h` → `linux/x.h`, `arch/arm/include/asm/x.h` → `asm/x.h`.
 * Undefined for a header that lives with its driver (`"foo.h"`, found in its own scope).
 */
export function systemInclude(rel: string): string | undefined {
  return /^(?:arch\/[^/]+\/)?include\/(?:uapi\/|generated\/(?:uapi\/)?)?([^/].*\.h)$/.exec(rel.replace(/\\/g, '/').replace(/^\.\//, ''))?.[1];
}

/** A header included from more subsystems than this is core API: its callers are not searched. */
export const MAX_INCLUDER_SCOPES = 4;

/**
 * The `.c` files of the base that include (`#include <linux/zlog.h>`) the touched headers of an
 * include directory among `paths`: their subsystems are where the header's functions, macros and
 * types are used, so a review of a patch to the header searches them as it searches the touched
 * files' own (scopeInputs `includers`). A header included from more than MAX_INCLUDER_SCOPES
 * subsystems gives none (and a note). `find` lists the base-relative `.c` files including a
 * spelling: by default `git grep` in a git work tree, else a walk of the base `root` (a base read
 * from a git revision searches the revision instead, gitbase.ts).
 */
export async function headerIncluders(root: string, paths: readonly string[], find: (spelling: string) => string[] = (s) => includersOf(root, s)): Promise<{ files: string[]; notes: string[] }> {
  const files: string[] = [];
  const notes: string[] = [];
  for (const h of paths) {
    const spelling = systemInclude(h);
    if (!spelling) continue;
    const found = find(spelling);
    const scopes = contextScopes(found);
    if (scopes.length > MAX_INCLUDER_SCOPES) {
      notes.push(`${h}: included from ${scopes.length} subsystems; the untouched users of what it defines were not searched`);
      continue;
    }
    files.push(...found);
  }
  return { files: [...new Set(files)].sort(), notes };
}

/** Base-relative `.c` files including `<spelling>`. */
function includersOf(root: string, spelling: string): string[] {
  const esc = spelling.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&');
  const git = gitSync(['grep', '-l', '-I', '--untracked', '--no-textconv', '--no-color', '-E', '-e', `^[[:space:]]*#[[:space:]]*include[[:space:]]*<${esc}>`, '--', '*.c'],
    { cwd: root, timeoutMs: 30_000, maxBuffer: 64 << 20, stderr: 'ignore' });
  if (!git.error && (git.status === 0 || git.status === 1)) return git.stdout.toString('utf8').split('\n').filter(Boolean).map((p) => p.replace(/\\/g, '/')).filter((p) => !p.startsWith('../'));
  // not a git work tree: walk it
  const re = new RegExp(`^[ \\t]*#[ \\t]*include[ \\t]*<${esc}>`, 'm');
  const out: string[] = [];
  const walk = (dir: string): void => {
    let ents: fs.Dirent[];
    try {
      ents = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.c')) {
        const r = readSourceBytes(p);
        if (r.ok && r.buf.includes(spelling, 0, 'latin1') && re.test(r.buf.toString('latin1'))) out.push(baseRelative(root, p));
      }
    }
  };
  walk(root);
  return out.sort();
}

/**
 * The `.c` files under `inputs` (directories or files) that call each of `names` (`name(`, found
 * lexically: the analysis decides what the call does), leaving out `touched` (base-relative): per
 * name, base-relative paths, sorted. One walk and one read of each file for all the names.
 */
export async function findCallers(root: string, inputs: readonly string[], touched: readonly string[], names: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(names.map((nm) => [nm, []]));
  const g = wordsRegex(names);
  if (!g) return out;
  await eachUntouchedC(root, inputs, touched, (text, rel) => {
    const called = new Set<string>();
    g.lastIndex = 0;
    for (let m = g.exec(text); m !== null; m = g.exec(text)) {
      if (/^\s*\(/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 20))) called.add(m[0]);
    }
    for (const nm of called) out.get(nm)?.push(rel);
  });
  for (const list of out.values()) list.sort();
  return out;
}

/** Each readable `.c` file under `inputs` but `touched` (base-relative), as latin1 text with its base-relative path. */
async function eachUntouchedC(root: string, inputs: readonly string[], touched: readonly string[], f: (text: string, rel: string) => void): Promise<void> {
  const skip = new Set(touched.map((p) => path.join(root, p)));
  for (const file of await walkPaths([...inputs], {}, [])) {
    if (!file.path.endsWith('.c') || skip.has(path.resolve(file.path))) continue;
    const r = readSourceBytes(file.path);
    if (r.ok) f(r.buf.toString('latin1'), baseRelative(root, file.path));
  }
}

/**
 * The `.c` files under `inputs` that read a struct member (`T.m`: they name the tag `T` as a word
 * and `->m` or `.m`), leaving out `touched`: per member key, base-relative paths, sorted. What the
 * analysis of such a file then makes of the member is its own business, as for callers.
 */
export async function findMemberReaders(root: string, inputs: readonly string[], touched: readonly string[], members: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(members.map((k) => [k, []]));
  const keys = members.map((k) => /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?:\[\])?$/.exec(k)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[0], tag: new RegExp(`\\b${m[1]}\\b`), member: new RegExp(`(?:->|\\.)\\s*${m[2]}\\b`) }));
  if (keys.length === 0) return out;
  await eachUntouchedC(root, inputs, touched, (text, rel) => {
    for (const k of keys) if (k.tag.test(text) && k.member.test(text)) out.get(k.key)?.push(rel);
  });
  for (const list of out.values()) list.sort();
  return out;
}
