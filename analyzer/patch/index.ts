/** Patch review: the module's public surface (used by analyzer/cli.ts and the extension). */
export type { FilePatch, Hunk, HunkLine, Patch, PatchFinding, PatchProblem, PatchSet } from './model';
export { parsePatches, parsePatchInputs, isPatchText, patchNumber } from './parse';
export { applySeries, fsBase, EMPTY_BASE, LineMap } from './apply';
export type { BaseTree, FileResult, SeriesResult } from './apply';
export { reviewSet, reviewKernel, reviewPatchText, reviewGitRange, scanPatchText, diffFindings, findingKey, findingId } from './review';
export type { AnalyzeTextFn, PatchReview, PatchReviewOptions, ReviewItem } from './review';
export { formatMailback, formatReply, fixDiff } from './format';
export { reviewCommand, REVIEW_USAGE } from './command';
export type { BaseContextOptions, CommandIO, ReviewDeps } from './command';
export { gitRangeArgs, gitBase, rangeBaseRev, formatPatchRange } from './git';
export { simulatedConsequence } from './consequence';
export { restoreRemovedDiff } from './format';
