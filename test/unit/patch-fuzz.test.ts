/**
 * Fuzz: truncated and mutated patches must never throw, in parsing, applying or reviewing, and
 * whatever is reported must point at lines that exist in the input.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import fc from 'fast-check';
import { applySeries, fsBase } from '../../analyzer/patch/apply';
import { buildFragment } from '../../analyzer/patch/fragment';
import { isPatchText, parsePatches } from '../../analyzer/patch/parse';
import { reviewSet } from '../../analyzer/patch/review';
import { formatMailback, formatReply } from '../../analyzer/patch/format';
import { BASE, fixture, FIXTURES, toyAnalyze } from './patch-helpers.test';

const SOURCES = fs.readdirSync(FIXTURES).filter((f) => /\.(patch|mbox|eml)$/.test(f)).sort().map((f) => fixture(f).toString('latin1'));

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'delete-line'; at: number }
  | { kind: 'dup-line'; at: number }
  | { kind: 'hunk-counts'; at: number; a: number; b: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'flip'; at: number; ch: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dup-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('hunk-counts' as const), at: fc.nat(), a: fc.integer({ min: 0, max: 99 }), b: fc.integer({ min: 0, max: 99 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('\n@@ -1 +1 @@\n', '\ndiff --git a/x.c b/x.c\n', '\n-- \n', '=\n', '=3', '\nFrom x Mon Sep 17 00:00:00 2001\nSubject: [PATCH 0/1] c\n\n', '\r', '\n+\n', '\n--- a/../../z.c\n+++ b//abs.c\n')) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom('\n', '@', '+', '-', ' ', '=', '\r', '>', '\\', '"', '{', '}', 'é', '\u0000') }),
);

function mutate(src: string, ms: Mutation[]): string {
  let s = src;
  for (const m of ms) {
    const lines = s.split('\n');
    const at = lines.length ? m.at % lines.length : 0;
    switch (m.kind) {
      case 'truncate':
        s = s.slice(0, m.at % (s.length + 1));
        break;
      case 'delete-line':
        lines.splice(at, 1);
        s = lines.join('\n');
        break;
      case 'dup-line':
        lines.splice(at, 0, lines[at] ?? '');
        s = lines.join('\n');
        break;
      case 'hunk-counts': {
        const idx = lines.findIndex((l, i) => i >= at && l.startsWith('@@'));
        if (idx >= 0) lines[idx] = lines[idx].replace(/,\d+/, `,${m.a}`).replace(/ \+(\d+),\d+/, ` +$1,${m.b}`);
        s = lines.join('\n');
        break;
      }
      case 'insert': {
        const p = m.at % (s.length + 1);
        s = s.slice(0, p) + m.text + s.slice(p);
        break;
      }
      case 'flip': {
        const p = m.at % Math.max(1, s.length);
        s = s.slice(0, p) + m.ch + s.slice(p + 1);
        break;
      }
    }
  }
  return s;
}

const input = fc.tuple(fc.nat({ max: SOURCES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, ms]) => mutate(SOURCES[i], ms));

test('fuzz: parse + apply never throw; problems and hunk lines point into the input', () => {
  fc.assert(
    fc.property(input, fc.boolean(), (text, asBytes) => {
      const data = asBytes ? Buffer.from(text, 'latin1') : text;
      const lineCount = text.split('\n').length;
      isPatchText(text);
      const set = parsePatches(data, 'fuzz');
      for (const p of set.patches) {
        for (const pr of p.problems) {
          assert.ok(pr.line >= 1 && pr.line <= lineCount, `problem line ${pr.line}`);
          assert.match(pr.message, /^patch \d+ "/);
        }
        for (const f of p.files) {
          buildFragment(f.hunks, 'post');
          buildFragment(f.hunks, 'pre');
          for (const h of f.hunks) for (const l of h.lines) assert.ok(l.patchLine >= 1 && l.patchLine <= lineCount);
        }
      }
      const r = applySeries(set, fsBase(BASE));
      for (const pr of r.problems) assert.match(pr.message, /^patch \d+ "/);
    }),
    { numRuns: 400, seed: 20260303 },
  );
});

test('fuzz: review (with and without base) never throws and places findings on real lines', async () => {
  await fc.assert(
    fc.asyncProperty(input, fc.boolean(), async (text, withBase) => {
      const lineCount = text.split('\n').length;
      const review = await reviewSet(parsePatches(text, 'fuzz'), { base: withBase ? BASE : undefined, analyze: toyAnalyze, all: true });
      for (const pf of review.findings) {
        assert.ok(pf.patch.line >= 1 && pf.patch.line <= lineCount, `finding at ${pf.patch.line} of ${lineCount}`);
        assert.ok(pf.target.line >= 1);
      }
      formatMailback(review);
      formatReply(review);
    }),
    { numRuns: 150, seed: 20260304 },
  );
});

const TOKENS = [
  'From 0 Mon Sep 17 00:00:00 2001', 'From: A <a@example.org>', 'Subject: [PATCH 1/2] x', 'Subject: [PATCH 0/2] c',
  'Content-Type: multipart/mixed; boundary="b"', '--b', '--b--', 'Content-Transfer-Encoding: quoted-printable',
  'Content-Transfer-Encoding: base64', 'Content-Type: text/plain; charset=iso-8859-1', '', '---', '-- ',
  'diff --git a/x.c b/x.c', 'diff --git "a/y z.c" "b/y z.c"', 'rename from x.c', 'rename to ../y.c', 'new file mode 100644',
  'deleted file mode 100644', 'GIT binary patch', 'literal 3', '--- a/x.c', '+++ b/x.c', '--- /dev/null', '+++ /dev/null',
  '@@ -1,3 +1,4 @@', '@@ -0,0 +1 @@', '@@ -5 +5,0 @@ static int f(void)', ' int a;', '-\tflush_kernel_vmap_range(b, n);',
  '+\tsubmit_bio_wait(bio);', '+{', '+}', ' }', '\\ No newline at end of file', '>From x', '=3D=20=', 'base-commit: 0123abc',
];

test('fuzz: random bytes and random diff-token soup never throw', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      parsePatches(bytes, 'bytes');
      isPatchText(Buffer.from(bytes).toString('latin1'));
    }),
    { numRuns: 300, seed: 20260305 },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }), fc.constantFrom('\n', '\r\n'), async (tokens, eol) => {
      const text = tokens.join(eol);
      const review = await reviewSet(parsePatches(text, 'soup'), { base: BASE, analyze: toyAnalyze, all: true });
      const lineCount = text.split('\n').length;
      for (const pf of review.findings) assert.ok(pf.patch.line >= 1 && pf.patch.line <= lineCount);
      formatReply(review);
    }),
    { numRuns: 300, seed: 20260306 },
  );
});
