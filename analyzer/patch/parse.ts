/**
 * Entry point of patch parsing: `git diff` output, `git format-patch` files, mbox series (b4 am),
 * single .eml messages → a PatchSet in series order with the cover letter dropped, binary and
 * non-C files noted, and every malformed piece reported without stopping the rest.
 */
import { parseDiff } from './diff';
import { readMessages, MailMessage } from './mail';
import type { Patch, PatchNumber, PatchProblem, PatchSet } from './model';
import { describePatch, isCFile } from './model';

/** `[PATCH v2 03/10]`, `[RFC PATCH 1/2]`, `[PATCH net-next 2/5]` → {k, n}. */
export function patchNumber(subject: string): PatchNumber | undefined {
  const prefix = /^\s*(?:(?:re|fwd?|aw):\s*)*((?:\[[^\]]*\]\s*)+)/i.exec(subject);
  if (!prefix) return undefined;
  const m = /(?:^|[\s[])0*(\d+)\/0*(\d+)(?=[\s\]])/.exec(prefix[1]);
  if (!m) return undefined;
  return { k: parseInt(m[1], 10), n: parseInt(m[2], 10) };
}

function first(msg: MailMessage, name: string): string | undefined {
  return msg.headers.get(name)?.[0];
}

/**
 * In-body headers (`From:`, `Subject:`, `Date:` at the top of the body, as `git am` reads them):
 * a patch forwarded or sent for another author names the real author there.
 */
function inBodyHeaders(msg: MailMessage): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < msg.body.length && msg.body[i].text.trim() === '') i++;
  for (; i < msg.body.length; i++) {
    const m = /^(From|Subject|Date):\s*(.*)$/i.exec(msg.body[i].text);
    if (!m) break;
    out.set(m[1].toLowerCase(), m[2].trim());
  }
  return out;
}

export interface ParseOptions {
  /** Keep non-C files in the result (the review ignores them either way). */
  keepNonC?: boolean;
  /** Index of the first patch (to continue numbering across several input files). Default 1. */
  firstIndex?: number;
}

/** What one input holds, before the series is put in order: its patches are not numbered yet. */
interface Collected {
  patches: Patch[];
  notes: string[];
  problems: PatchProblem[];
  baseCommit?: string;
}

/**
 * Why an input cannot be a patch at all, before reading it as mail: nothing in it (an empty file,
 * a `git diff` of nothing), or binary data (a NUL byte in its first 8 KiB, as the tree walk's test;
 * git and mailers encode binary content as text).
 */
function unreadable(input: string | Uint8Array): string | undefined {
  const n = Math.min(input.length, 8192);
  for (let i = 0; i < n; i++) if ((typeof input === 'string' ? input.charCodeAt(i) : input[i]) === 0) return 'binary data (a NUL byte in the first 8 KiB), not a patch';
  for (let i = 0; i < input.length; i++) {
    const c = typeof input === 'string' ? input.charCodeAt(i) : input[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x0b) return undefined;
  }
  return 'the input is empty';
}

/** Read one input's messages into patches (problems still unprefixed), skipping cover letters and replies. */
function collectPatches(input: string | Uint8Array, name: string): Collected {
  const out: Collected = { patches: [], notes: [], problems: [] };
  const why = unreadable(input);
  if (why !== undefined) {
    out.problems.push({ patch: 0, line: 1, message: `${name}: ${why}; nothing was reviewed` });
    return out;
  }
  let messages: MailMessage[];
  try {
    messages = readMessages(input);
  } catch (e) {
    out.problems.push({ patch: 0, line: 1, message: `${name}: cannot read the input: ${(e as Error).message}` });
    return out;
  }
  let order = 0;
  for (const msg of messages) {
    order++;
    if (out.baseCommit === undefined) {
      const bc = msg.body.find((l) => /^base-commit: [0-9a-f]{7,40}\s*$/.test(l.text));
      if (bc) out.baseCommit = bc.text.slice('base-commit: '.length).trim();
    }
    const inBody = msg.isMail ? inBodyHeaders(msg) : new Map<string, string>();
    const rawSubject = first(msg, 'subject');
    const subject = rawSubject?.replace(/\s+/g, ' ').trim() ?? (msg.isMail ? `message ${order}` : name);
    const number = rawSubject !== undefined ? patchNumber(subject) : undefined;
    const diff = parseDiff(msg.body);
    if (number && number.k === 0) {
      out.notes.push(`skipped the cover letter "${subject}"`);
      continue;
    }
    const patch: Patch = {
      source: name,
      index: 0,
      subject,
      number,
      from: inBody.get('from') ?? first(msg, 'from'),
      date: inBody.get('date') ?? first(msg, 'date'),
      messageId: first(msg, 'message-id'),
      startLine: msg.startLine,
      files: diff.files,
      problems: [],
      notes: [],
    };
    for (const p of msg.problems) patch.problems.push({ patch: 0, line: msg.startLine, message: p });
    for (const p of diff.problems) patch.problems.push({ patch: 0, line: p.line, message: p.message });
    // a changed file with no hunks and nothing else to change (no mode, rename or binary): cut off
    for (const f of diff.files) {
      if (f.status === 'modified' && !f.binary && f.hunks.length === 0 && f.oldMode === undefined && f.newMode === undefined) {
        patch.problems.push({ patch: 0, line: f.patchLine, message: `the diff of ${f.newPath ?? f.oldPath} has no hunks (a truncated patch?); nothing of it was reviewed` });
      }
    }
    if (diff.files.length === 0) {
      if (msg.isMail && /^\s*re:/i.test(subject)) {
        out.notes.push(`skipped a reply without a diff "${subject}"`);
        continue;
      }
      patch.problems.push({
        patch: 0,
        line: msg.startLine,
        message: msg.isMail ? 'no diff found in the message (truncated mail, or not a patch)' : 'no diff found in the input',
      });
    }
    out.patches.push(patch);
  }
  return out;
}

/**
 * The series from the patches of all inputs: in `[PATCH k/N]` order when every patch is numbered
 * with the same N (else as they came), duplicates and missing patches noted once, numbered from
 * `firstIndex`, problems named by patch, binary and non-C files set aside.
 */
function finishPatches(name: string, c: Collected, opts: ParseOptions): PatchSet {
  const set: PatchSet = { name, patches: [], notes: [...c.notes], problems: [...c.problems], ...(c.baseCommit !== undefined ? { baseCommit: c.baseCommit } : {}) };
  const patches = [...c.patches];
  const n = patches[0]?.number?.n;
  if (patches.length > 0 && patches.every((p) => p.number !== undefined && p.number.n === n)) {
    patches.sort((a, b) => (a.number?.k ?? 0) - (b.number?.k ?? 0));
    const seen = new Map<number, number>();
    for (const p of patches) seen.set(p.number?.k ?? 0, (seen.get(p.number?.k ?? 0) ?? 0) + 1);
    for (const [k, count] of seen) if (count > 1) set.notes.push(`${count} messages claim to be patch ${k}; reviewed in input order`);
    if (n !== undefined && patches.length < n) set.notes.push(`the series has ${n} patches but the input holds ${patches.length}`);
  }
  patches.forEach((p, i) => {
    p.index = i + (opts.firstIndex ?? 1);
    const who = describePatch(p);
    p.problems = p.problems.map((pr): PatchProblem => ({ ...pr, patch: p.index, message: `${who}: ${pr.message}` }));
    const kept = [];
    for (const f of p.files) {
      const path = f.newPath ?? f.oldPath ?? '?';
      if (f.binary) {
        p.notes.push(`${who}: binary file ${path} skipped`);
        set.notes.push(`${who}: binary file ${path} skipped`);
        continue;
      }
      if (!isCFile(f.newPath) && !isCFile(f.oldPath)) {
        p.notes.push(`${who}: ${path} ignored (only .c and .h files are analysed)`);
        if (!opts.keepNonC) continue;
      }
      kept.push(f);
    }
    p.files = kept;
  });
  set.patches = patches;
  return set;
}

/** Parse any supported patch input. Never throws on malformed input; problems are reported. */
export function parsePatches(input: string | Uint8Array, name: string, opts: ParseOptions = {}): PatchSet {
  return finishPatches(name, collectPatches(input, name), opts);
}

/**
 * Several inputs (e.g. `0001-….patch 0002-….patch`, or the same files in another order) as one
 * series: in `[PATCH k/N]` order across the inputs when every patch is numbered alike, else in
 * argument order.
 */
export function parsePatchInputs(inputs: { name: string; data: string | Uint8Array }[], opts: ParseOptions = {}): PatchSet {
  const all: Collected = { patches: [], notes: [], problems: [] };
  for (const inp of inputs) {
    const c = collectPatches(inp.data, inp.name);
    all.patches.push(...c.patches);
    all.notes.push(...c.notes.map((n) => (inputs.length > 1 ? `${inp.name}: ${n}` : n)));
    all.problems.push(...c.problems);
    all.baseCommit ??= c.baseCommit;
  }
  return finishPatches(inputs.map((i) => i.name).join(' '), all, opts);
}

/**
 * Content-based detection for `vmalias scan`: a git diff, a unified diff with file headers and a
 * hunk, or a mail whose subject is a patch. C source never has lines starting with `@@ -N`.
 */
export function isPatchText(text: string): boolean {
  const head = text.length > 1_000_000 ? text.slice(0, 1_000_000) : text;
  if (/^diff --git \S/m.test(head) && /^(@@ -\d|Binary files |GIT binary patch|rename from |new file mode |deleted file mode |similarity index )/m.test(head)) return true;
  if (/^--- \S.*\r?\n\+\+\+ \S.*\r?\n@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m.test(head)) return true;
  // A mail carrying a patch whose body is encoded (base64/QP hides the diff markers).
  if (/^Subject:.*\[[^\]]*PATCH[^\]]*\]/im.test(head) && /^(From |From:|Date:|Message-ID:)/im.test(head)) return true;
  return false;
}
