/** Line starts of a text, and the line holding an offset (the analyzer's spans and the review's fix diffs). */

let lastText: string | undefined;
let lastStarts: readonly number[] = [];

/**
 * Offset where each line starts: 0, then just after every `\n`. The last text's answer is kept:
 * parsing a text and analysing its tree ask for the same one three times (included ranges, the
 * tree copy, the analysis), once per demand-driven pass.
 */
export function lineStarts(text: string): readonly number[] {
  if (text === lastText) return lastStarts;
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  lastText = text;
  lastStarts = starts;
  return starts;
}

/** 0-based index of the line holding `offset` (binary search over lineStarts()). */
export function lineIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
