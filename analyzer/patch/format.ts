/**
 * Outputs of patch review: `--format mailback` (b4 per-patch check command) and the plain-text
 * mailing-list reply of `vmalias review`.
 */
import { lineIndex, lineStarts } from '../parse/lines';
import type { Finding, Fix } from '../types';
import { simulatedConsequenceParts } from './consequence';
import { EXPLANATIONS, staticConsequence } from './explain';
import { patchTag, type Hunk, type PatchFinding, type PatchSet } from './model';
import type { PatchReview, ReviewItem } from './review';

/**
 * b4 `am-perpatch-check-cmd` / `prep-perpatch-check-cmd`: one terse line per finding,
 * `path:line: message [rule]` with the target file and its post-image line (like
 * `checkpatch.pl --terse --showfile`). Empty string when the patch is clean.
 */
export function formatMailback(review: Pick<PatchReview, 'findings'> & { set?: Pick<PatchSet, 'patches'> }): string {
  // an input of several patches: each line says which one it belongs to, `[k/N]` as the subject
  // numbers it (else its place in the series); b4 pipes one patch at a time, whose lines stay as they were
  const patches = review.set?.patches ?? [];
  const label = (i: number): string => {
    if (patches.length < 2) return '';
    return ` [${patchTag(patches.find((x) => x.index === i) ?? { index: i }, patches.length)}]`;
  };
  return review.findings
    .map((pf) => {
      const f = pf.finding;
      const pre = f.preexisting ? ' (pre-existing)' : '';
      const low = f.confidence === 'low' ? ' (low confidence: reviewed without the base file)' : '';
      return `${pf.target.path}:${pf.target.line}: ${f.message}${pre}${low} [${f.rule}]${label(pf.patch.index)}\n`;
    })
    .join('');
}

/** Produces the per-architecture consequence paragraph; default: the simulator, compactly. */
export type ConsequenceFn = (f: Finding) => string | undefined;

export interface ReplyOptions {
  consequence?: ConsequenceFn;
  /** Only these findings (the editor's "Copy review reply" on one finding). */
  only?: (pf: PatchFinding) => boolean;
  /** Hunk lines to quote before the reported line at most. */
  quoteBefore?: number;
}

function quoteHunk(item: ReviewItem, maxBefore: number): string[] {
  const h: Hunk | undefined = item.hunk;
  const line = item.pf.patch.line;
  if (!h) return [];
  const idx = h.lines.findIndex((l) => l.patchLine === line);
  if (idx < 0) return [];
  // Start at the earliest trace step or change shown in this hunk, at most maxBefore lines back.
  const tracePatchLines = new Set<number>();
  for (const t of item.pf.finding.trace) {
    const pl = item.map.patchLineOf(t.span.start.line);
    if (pl !== undefined) tracePatchLines.add(pl);
  }
  let start = idx;
  for (let i = idx - 1; i >= Math.max(0, idx - maxBefore); i--) {
    if (tracePatchLines.has(h.lines[i].patchLine) || h.lines[i].kind !== ' ') start = i;
  }
  if (start === idx) start = Math.max(0, idx - 2);
  // Reported at a change (the submission is outside the hunk): quote the whole run of changes.
  let end = idx;
  const direct = item.map.patchLineOf(item.pf.target.line) === line;
  if (!direct) while (end + 1 < h.lines.length && h.lines[end + 1].kind !== ' ' && end - idx < 8) end++;
  const out: string[] = [];
  out.push(start > 0 ? '> [...]' : `> ${h.header}`);
  for (let i = start; i <= end; i++) out.push(`> ${h.lines[i].kind}${h.lines[i].text}`.replace(/\s+$/, ''));
  if (end > idx && end + 1 < h.lines.length) out.push('> [...]');
  return out;
}

/**
 * The suggested fix as a small unified diff: the fix's edits applied to the analysed text, shown
 * with one line of context, numbered in the target file's post-image.
 */
export function fixDiff(item: ReviewItem, fix: Fix, context = 1): string | undefined {
  const text = item.analyzedText;
  const edits = [...fix.edits].sort((a, b) => a.span.startOffset - b.span.startOffset);
  if (edits.length === 0) return undefined;
  for (const e of edits) if (e.span.startOffset < 0 || e.span.endOffset > text.length || e.span.endOffset < e.span.startOffset) return undefined;
  const starts = lineStarts(text);
  const lineOf = (off: number): number => lineIndex(starts, off); // 0-based
  const totalLines = text.endsWith('\n') ? starts.length - 1 : starts.length;
  const first = Math.max(0, lineOf(edits[0].span.startOffset) - context);
  const lastEditLine = lineOf(Math.max(edits[edits.length - 1].span.startOffset, edits[edits.length - 1].span.endOffset - 1));
  const last = Math.min(totalLines - 1, lastEditLine + context);
  const from = starts[first];
  const to = last + 1 < starts.length ? starts[last + 1] : text.length;
  let region = '';
  let pos = from;
  for (const e of edits) {
    if (e.span.startOffset < pos) return undefined; // overlapping edits
    region += text.slice(pos, e.span.startOffset) + e.newText;
    pos = e.span.endOffset;
  }
  region += text.slice(pos, to);
  const oldLines = text.slice(from, to).replace(/\n$/, '').split('\n');
  const newLines = region.replace(/\n$/, '').split('\n');
  // Trim the common head and tail beyond the requested context.
  let head = 0;
  while (head < oldLines.length && head < newLines.length && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  while (tail < oldLines.length - head && tail < newLines.length - head && oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]) tail++;
  const keepHead = Math.max(0, head - context);
  const keepTail = Math.max(0, tail - context);
  const o = oldLines.slice(keepHead, oldLines.length - keepTail);
  const n = newLines.slice(keepHead, newLines.length - keepTail);
  const h2 = head - keepHead;
  const t2 = tail - keepTail;
  const body: string[] = [];
  for (let i = 0; i < h2; i++) body.push(` ${o[i]}`);
  for (let i = h2; i < o.length - t2; i++) body.push(`-${o[i]}`);
  for (let i = h2; i < n.length - t2; i++) body.push(`+${n[i]}`);
  for (let i = o.length - t2; i < o.length; i++) body.push(` ${o[i]}`);
  const startLine = item.imageLine(first + keepHead + 1);
  const path = item.pf.target.path;
  return [`--- a/${path}`, `+++ b/${path}`, `@@ -${startLine},${o.length} +${startLine},${n.length} @@`, ...body].join('\n');
}

const MAINTENANCE_CALL: Partial<Record<Finding['rule'], string>> = {
  'vmap-io-missing-flush': 'flush_kernel_vmap_range(',
  'vmap-io-missing-invalidate': 'invalidate_kernel_vmap_range(',
};

/**
 * When the patch itself deletes the maintenance call the finding is about, the fix is to keep it:
 * a diff that puts the removed line back between its neighbours in the post-image.
 */
export function restoreRemovedDiff(item: ReviewItem): { title: string; diff: string } | undefined {
  const call = MAINTENANCE_CALL[item.pf.finding.rule];
  const h = item.hunk;
  if (!call || !h) return undefined;
  const i = h.lines.findIndex((l) => l.kind === '-' && l.text.includes(call));
  if (i < 0) return undefined;
  // The whole run of removed lines around the call: the call may span lines or sit under an if.
  let from = i;
  while (from > 0 && h.lines[from - 1].kind === '-') from--;
  let to = i;
  while (to + 1 < h.lines.length && h.lines[to + 1].kind === '-') to++;
  const prev = from > 0 ? from - 1 : undefined;
  const next = to + 1 < h.lines.length ? to + 1 : undefined;
  const ctx = [prev, next].filter((k): k is number => k !== undefined);
  if (ctx.length === 0) return undefined;
  const firstPost = item.map.postLineOf(h.lines[ctx[0]].patchLine);
  if (firstPost === undefined) return undefined;
  const body: string[] = [];
  if (prev !== undefined) body.push(` ${h.lines[prev].text}`);
  for (let k = from; k <= to; k++) body.push(`+${h.lines[k].text}`);
  if (next !== undefined) body.push(` ${h.lines[next].text}`);
  const path = item.pf.target.path;
  const name = call.slice(0, -1);
  return {
    title: `keep the ${name}() call this patch removes`,
    diff: [`--- a/${path}`, `+++ b/${path}`, `@@ -${firstPost},${ctx.length} +${firstPost},${ctx.length + to - from + 1} @@`, ...body].join('\n'),
  };
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

function wrap(text: string, width = 72): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}

/**
 * One finding's part of the reply: quote, explanation, consequence, fix. `shown`: the simulations
 * whose table an earlier finding of the reply printed; this one then gets a one-line summary.
 */
export function replyForItem(item: ReviewItem, opts: ReplyOptions = {}, shown?: Set<string>): string {
  const f = item.pf.finding;
  const parts: string[] = [];
  const quote = quoteHunk(item, opts.quoteBefore ?? 6);
  if (quote.length) parts.push(quote.join('\n'));
  // a finding in a file the patch leaves alone: quote what breaks there, `file:line` first
  if (item.untouched?.length) parts.push(item.untouched.map((q) => [`${q.path}:${q.line}, ${q.what}:`, ...q.lines.map((l) => `> ${l}`.replace(/\s+$/, ''))].join('\n')).join('\n'));
  const where = `${item.pf.target.path}:${item.pf.target.line}`;
  const later = item.pf.fixedLater;
  if (later) {
    // the series fixes it itself: ask for the fix to be folded in, not for one that exists
    parts.push(wrap(`${f.message.replace(/ \(fixed later in \[PATCH [^\]]*\]:[^)]*\)$/, '').replace(/[.\s]+$/, '')}. "${later.subject}" later in this series adds what is missing; please fold it into this patch, so that every commit builds a correct kernel (git bisect may stop here).`));
    parts.push(`[vmalias ${f.rule} at ${where}, fixed later in the series]`);
    return parts.join('\n\n');
  }
  const expl = EXPLANATIONS[f.rule]?.text(f) ?? '';
  const tags = [f.preexisting ? 'pre-existing, not introduced by this patch' : '', f.confidence === 'low' ? 'reviewed without the base file' : '']
    .filter(Boolean)
    .join('; ');
  const msg = f.message.replace(/[.\s]+$/, '');
  parts.push(wrap(`${msg}${tags ? ` (${tags})` : ''}. ${expl}`));
  let consequence: string | undefined;
  try {
    if (opts.consequence) consequence = opts.consequence(f);
    else {
      const sim = simulatedConsequenceParts(f);
      consequence = sim && shown?.has(sim.key) ? wrap(sim.brief) : sim?.text;
      if (sim) shown?.add(sim.key);
    }
  } catch {
    consequence = undefined; // the simulator cannot model it: the static summary below
  }
  parts.push(consequence ?? wrap(staticConsequence(f)));
  const fix = f.fixes.find((x) => x.isPreferred) ?? f.fixes[0];
  const diff = fix ? fixDiff(item, fix) : undefined;
  const restore = restoreRemovedDiff(item);
  // Undoing the patch's own deletion is the smallest fix; otherwise the analyzer's preferred fix.
  if (restore) parts.push(`${wrap(`Something like this (${restore.title}):`)}\n\n${restore.diff}`);
  else if (fix && diff) parts.push(`${wrap(`Something like this (${lowerFirst(fix.title)}):`)}\n\n${diff}`);
  parts.push(`[vmalias ${f.rule} at ${where}]`);
  return parts.join('\n\n');
}

/** The whole reply text: one mail body per patch that has findings, with reply headers. */
export function formatReply(review: PatchReview, opts: ReplyOptions = {}): string {
  const byPatch = new Map<number, ReviewItem[]>();
  for (const it of review.items) {
    if (opts.only && !opts.only(it.pf)) continue;
    const list = byPatch.get(it.pf.patch.index) ?? [];
    list.push(it);
    byPatch.set(it.pf.patch.index, list);
  }
  const mails: string[] = [];
  // several findings: the per-architecture table once per simulation, a summary line after that
  const count = [...byPatch.values()].reduce((n, l) => n + l.length, 0);
  const shown = count > 1 ? new Set<string>() : undefined;
  for (const [, items] of [...byPatch].sort((a, b) => a[0] - b[0])) {
    const p = items[0].patch;
    const head: string[] = [`Subject: Re: ${p.subject.replace(/^\s*re:\s*/i, '')}`];
    if (p.messageId) head.push(`In-Reply-To: ${p.messageId}`);
    const intro = p.from ? (p.date ? `On ${p.date}, ${p.from} wrote:` : `${p.from} wrote:`) : '';
    const body = items.map((it) => replyForItem(it, opts, shown)).join('\n\n');
    mails.push(`${head.join('\n')}\n\n${intro ? intro + '\n' : ''}${body}\n`);
  }
  return mails.join(`\n${'-'.repeat(72)}\n\n`);
}
