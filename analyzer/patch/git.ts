/**
 * Arguments for reviewing a git range (the editor's "Review git range…", CI): the series as
 * `git format-patch --stdout` prints it, which parsePatches() reads like an mbox. The range comes
 * from the user, so it is checked to be a revision range and never an option.
 */

/** `A..B`, `A...B`, `A` (means A..HEAD is not implied: a single rev gives its own patch with -1). */
const REV = /^[A-Za-z0-9_][A-Za-z0-9_./@{}~^:-]*$/;

export function gitRangeArgs(range: string): string[] {
  const r = range.trim();
  const parts = r.split(/\.\.\.?/);
  if (r === '' || parts.length > 2 || parts.some((p) => p !== '' && !REV.test(p)) || parts.every((p) => p === '')) {
    throw new Error(`not a revision range: ${JSON.stringify(range)} (expected e.g. v6.18..HEAD or HEAD~3..)`);
  }
  const single = parts.length === 1;
  // --no-color/--no-ext-diff/--no-textconv: the output must be a plain patch whatever the user's config says.
  return ['format-patch', '--stdout', '--no-color', '--no-ext-diff', '--no-textconv', '-M', ...(single ? ['-1'] : []), r, '--'];
}
