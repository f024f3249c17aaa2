/**
 * Arguments for reviewing a git range (the editor's "Review git range…", CI): the series as
 * `git format-patch --stdout` prints it, which parsePatches() reads like an mbox. The range comes
 * from the user, so it is checked to be a revision range and never an option. git runs through
 * analyzer/git.ts: nothing the repository's configuration names is executed or fetched.
 */
import { gitFailure, gitSync } from '../git';
import type { BaseTree } from './apply';
import { checkRelativePath } from './paths';

/** `A..B`, `A...B`, `A` (means A..HEAD is not implied: a single rev gives its own patch with -1). */
const REV = /^[A-Za-z0-9_][A-Za-z0-9_./@{}~^:-]*$/;

export function gitRangeArgs(range: string): string[] {
  const r = range.trim();
  const parts = r.split(/\.\.\.?/);
  if (r === '' || parts.length > 2 || parts.some((p) => p !== '' && !REV.test(p)) || parts.every((p) => p === '')) {
    throw new Error(`not a revision range: ${JSON.stringify(range)} (expected e.g. v6.18..HEAD or HEAD~3..)`);
  }
  const single = parts.length === 1;
  // --no-color/--no-ext-diff/--no-textconv, a/ b/ prefixes, paths from the top: the output must be
  // a plain patch whatever the user's or the repository's configuration says (diff.noprefix,
  // diff.relative, an external diff driver)
  return ['format-patch', '--stdout', '--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '-M', ...(single ? ['-1'] : []), r, '--'];
}

/**
 * A base tree read from a git revision (`git cat-file`), never from the work tree and never
 * written: for reviewing `A..B` while the checkout is at B, or a series against its base-commit.
 * Symlinks (mode 120000) and submodules are treated as absent, so they cannot lead outside.
 */
export function gitBase(repoDir: string, rev: string): BaseTree {
  if (!REV.test(rev)) throw new Error(`not a revision: ${JSON.stringify(rev)}`);
  const git = (args: string[]): Buffer => run(repoDir, args, 256 << 20);
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).toString().trim();
  } catch {
    throw new Error(`${repoDir}: unknown revision ${rev}`);
  }
  const cache = new Map<string, string | undefined>();
  return {
    git: { repo: repoDir, commit },
    refuse(rel) {
      const r = checkRelativePath(rel);
      return r.ok ? undefined : r.reason;
    },
    read(rel) {
      const r = checkRelativePath(rel);
      if (!r.ok) return undefined;
      if (cache.has(r.rel)) return cache.get(r.rel);
      let text: string | undefined;
      try {
        const entry = git(['ls-tree', '-z', '--full-tree', commit, '--', r.rel]).toString();
        const m = /^(\d+) blob ([0-9a-f]+)\t/.exec(entry);
        if (m && (m[1] === '100644' || m[1] === '100755')) text = git(['cat-file', 'blob', m[2]]).toString('utf8');
      } catch {
        text = undefined;
      }
      cache.set(r.rel, text);
      return text;
    },
  };
}

/** The revision a range applies to: A of `A..B`, merge-base of `A...B`, the parent of a single commit. */
export function rangeBaseRev(repoDir: string, range: string): string | undefined {
  const r = range.trim();
  const git = (args: string[]): string => run(repoDir, args, 1 << 20).toString().trim();
  try {
    if (r.includes('...')) {
      const [a, b] = r.split('...');
      return git(['merge-base', a || 'HEAD', b || 'HEAD']);
    }
    if (r.includes('..')) return git(['rev-parse', '--verify', '--quiet', `${r.split('..')[0] || 'HEAD'}^{commit}`]);
    return git(['rev-parse', '--verify', '--quiet', `${r}~1^{commit}`]);
  } catch {
    return undefined; // e.g. a root commit has no parent: review without a base
  }
}

/** `git format-patch --stdout RANGE` in repoDir, as bytes (read-only). */
export function formatPatchRange(repoDir: string, range: string): Buffer {
  return run(repoDir, gitRangeArgs(range), 1 << 30);
}

/** git's stdout; throws with git's first line of stderr when it fails. */
function run(repoDir: string, args: string[], maxBuffer: number): Buffer {
  const r = gitSync(args, { repo: repoDir, maxBuffer });
  if (r.error || r.status !== 0) throw new Error(`git ${args[0]} failed in ${repoDir}: ${gitFailure(r)}`);
  return r.stdout;
}
