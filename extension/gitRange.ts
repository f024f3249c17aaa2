/** Checking the "Review Git Range…" input (pure: no vscode, unit-tested). */
import { gitRangeArgs } from '../analyzer/patch/git';

const REV = /^[A-Za-z0-9_][A-Za-z0-9_./@{}~^:-]*$/;

/**
 * A git revision range as the input box accepts it: `A..B` or `A...B` with both ends given, each a
 * plain revision (letters, digits and `_./@{}~^:-`, never starting with `-`, so never an option),
 * then the analyzer's own check (gitRangeArgs) on top. The error message, or undefined when valid.
 */
export function validateRange(input: string): string | undefined {
  const r = input.trim();
  const parts = r.split(/\.{2,3}/);
  if (parts.length !== 2 || !parts.every((p) => REV.test(p))) return 'Enter a range A..B (e.g. v6.18..HEAD or HEAD~3..HEAD)';
  try {
    gitRangeArgs(r);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
