/**
 * Path safety for patch targets: a path named in a patch must stay inside the base directory.
 * Refused: absolute paths, drive letters, `..` segments, NUL bytes, and paths whose existing part
 * resolves (through symlinks) outside the base. Only ever reads.
 */
import * as fs from 'fs';
import * as path from 'path';

export type SafePath = { ok: true; rel: string; abs?: string } | { ok: false; reason: string };

/** Lexical check, no file system access: usable without a base tree. */
export function checkRelativePath(p: string): SafePath {
  if (p.length === 0) return { ok: false, reason: 'empty path' };
  if (p.includes('\0')) return { ok: false, reason: `path contains a NUL byte` };
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) return { ok: false, reason: `absolute path ${JSON.stringify(p)} refused` };
  const segs = p.split(/[\\/]+/);
  if (segs.includes('..')) return { ok: false, reason: `path ${JSON.stringify(p)} escapes the base directory ("..") and is refused` };
  const rel = segs.filter((s) => s !== '' && s !== '.').join('/');
  if (rel === '') return { ok: false, reason: `path ${JSON.stringify(p)} names the base directory itself` };
  return { ok: true, rel };
}

function inside(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

/** Resolve `p` under `base`, following symlinks of the existing part; refuse anything that leaves it. */
export function resolveInBase(base: string, p: string): SafePath {
  const lex = checkRelativePath(p);
  if (!lex.ok) return lex;
  let root: string;
  try {
    root = fs.realpathSync(base);
  } catch {
    return { ok: false, reason: `base directory ${base} does not exist` };
  }
  const abs = path.join(root, ...lex.rel.split('/'));
  // Walk down from the base: every existing component must resolve inside the root.
  let cur = root;
  for (const seg of lex.rel.split('/')) {
    cur = path.join(cur, seg);
    let real: string;
    try {
      real = fs.realpathSync(cur);
    } catch {
      break; // does not exist (yet): nothing further to follow
    }
    if (!inside(root, real)) return { ok: false, reason: `path ${JSON.stringify(p)} leaves the base directory through a symlink and is refused` };
    cur = real;
  }
  return { ok: true, rel: lex.rel, abs };
}
