import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyHunks, applySeries, EMPTY_BASE, fsBase } from '../../analyzer/patch/apply';
import { reviewCommand } from '../../analyzer/patch/command';
import { formatPatchRange, gitBase } from '../../analyzer/patch/git';
import { reviewGitRange } from '../../analyzer/patch/review';
import { parsePatches } from '../../analyzer/patch/parse';
import { checkRelativePath, resolveInBase } from '../../analyzer/patch/paths';
import { BASE, fixture, gitIn, lineOf, toyAnalyze } from './patch-helpers.test';

function treeHash(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(p);
      if (e.isSymbolicLink()) h.update(fs.readlinkSync(p));
      else if (e.isDirectory()) walk(p);
      else h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

test('series applies in order on the base; post-image equals the real git result', () => {
  const set = parsePatches(fixture('series-cover-3.mbox'), 's.mbox');
  const r = applySeries(set, fsBase(BASE));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.files.map((f) => [f.patch.index, f.path]), [[1, 'drivers/block/vsb.h'], [2, 'drivers/block/vsb.c'], [3, 'drivers/block/vsb.c']]);
  const last = r.files[2];
  // Patch 3 starts from patch 2's result, not from the base.
  assert.equal(last.before, r.files[1].after);
  assert.ok(last.before?.includes('flush_kernel_vmap_range(vd->log'));
  assert.ok(!last.after?.includes('flush_kernel_vmap_range(vd->log'));
  assert.ok(last.after?.includes('static int vsb_write_sb('));
  assert.ok(r.files[0].after?.includes('static inline void vsb_fill_sb('));
});

test('line map both ways: post-image line ↔ patch line for context and added lines', () => {
  const raw = fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch').toString();
  const set = parsePatches(raw, 'p.patch');
  const r = applySeries(set, fsBase(BASE)).files[0];
  const post = (r.after ?? '').split('\n');
  const patchLine = lineOf(raw, '+\tret = submit_bio_wait(bio);');
  const postLine = r.map.postLineOf(patchLine);
  assert.equal(postLine, 57);
  assert.equal(post[57 - 1], '\tret = submit_bio_wait(bio);');
  assert.equal(r.map.patchLineOf(57), patchLine);
  // A context line maps too; a line outside every hunk does not.
  const ctx = lineOf(raw, ' static int vsb_log_init');
  assert.equal(post[(r.map.postLineOf(ctx) ?? 0) - 1], 'static int vsb_log_init(struct vsb_dev *vd)');
  assert.equal(r.map.patchLineOf(30), undefined);
  // Every mapped pair agrees in text.
  const lines = raw.split('\n');
  for (let pl = 1; pl <= lines.length; pl++) {
    const l = r.map.postLineOf(pl);
    if (l !== undefined) assert.equal(post[l - 1], lines[pl - 1].slice(1), `patch line ${pl}`);
  }
  assert.deepEqual(r.placements.map((p) => [p.applied, p.offset, p.firstChangedPatchLine]), [[true, 0, lineOf(raw, '+#include "vsb.h"')], [true, 0, lineOf(raw, '+static int vsb_write_sb')]]);
});

test('hunks are found at an offset, and with trailing whitespace stripped by a mailer', () => {
  const set = parsePatches(
    ['--- a/f.c', '+++ b/f.c', '@@ -2,3 +2,3 @@', ' int b;  ', '-int c;', '+int C;', ' int d;', ''].join('\n'),
    'x',
  );
  const base = 'int x;\nint y;\nint z;\nint a;\nint b;\nint c;\nint d;\n';
  const r = applyHunks(set.patches[0], set.patches[0].files[0], base);
  assert.deepEqual(r.problems, []);
  assert.equal(r.text, 'int x;\nint y;\nint z;\nint a;\nint b;\nint C;\nint d;\n');
  assert.equal(r.placements[0].offset, 3);
  assert.equal(r.map.patchLineOf(6), 6);
});

test('a patch that does not apply is named by patch and hunk; the next patch is still applied', () => {
  const set = parsePatches(fixture('does-not-apply.mbox'), 'n.mbox');
  const r = applySeries(set, fsBase(BASE));
  assert.equal(r.problems.length, 1);
  assert.equal(
    r.problems[0].message,
    'patch 1 "[PATCH 1/2] vsb: drop the log flush before submission": hunk 1 of drivers/block/vsb.c (@@ -29,7 +29,6 @@, line 18) does not apply: closest match at line 27 (6 of 7 lines agree): line 27 is "for (off = 0; off < VSB_LOG_SIZE; off += PAGE_SIZE)", the patch expects "for (off = 0; off < VSB_LOG_SIZE; off += SECTOR_SIZE)"',
  );
  assert.equal(r.problems[0].patch, 1);
  assert.equal(r.files[0].placements[0].applied, false);
  assert.equal(r.files[1].placements.every((p) => p.applied), true);
  assert.ok(r.files[1].after?.includes('vsb_write_sb'));
});

test('rename: the pre-image is read from the old path, the old path is gone afterwards', () => {
  const set = parsePatches(fixture('rename-drops-flush.patch'), 'r.patch');
  const r = applySeries(set, fsBase(BASE));
  assert.deepEqual(r.problems, []);
  const f = r.files[0];
  assert.equal(f.path, 'drivers/block/vsb_log.c');
  assert.equal(f.before, fs.readFileSync(path.join(BASE, 'drivers/block/vsb.c'), 'utf8'));
  assert.ok(f.after?.includes(' * vsb_log: the log half'));
});

test('without a base: new files are complete, modified files are marked incomplete', () => {
  const diff = [
    'diff --git a/n.c b/n.c', 'new file mode 100644', '--- /dev/null', '+++ b/n.c', '@@ -0,0 +1,2 @@', '+int a;', '+int b;',
    'diff --git a/m.c b/m.c', '--- a/m.c', '+++ b/m.c', '@@ -10,2 +10,2 @@', ' int x;', '-int y;', '+int z;',
    'diff --git a/n.c b/n.c', '--- a/n.c', '+++ b/n.c', '@@ -1,2 +1,2 @@', ' int a;', '-int b;', '+int B;', '',
  ].join('\n');
  const r = applySeries(parsePatches(diff, 'd'), EMPTY_BASE);
  assert.deepEqual(r.files.map((f) => [f.path, f.complete]), [['n.c', true], ['m.c', false], ['n.c', true]]);
  assert.equal(r.files[2].after, 'int a;\nint B;\n');
  assert.deepEqual(r.problems, []);
});

test('CRLF base files are matched line by line', () => {
  const set = parsePatches(['--- a/f.c', '+++ b/f.c', '@@ -1,2 +1,2 @@', ' a', '-b', '+c', ''].join('\r\n'), 'x');
  const r = applyHunks(set.patches[0], set.patches[0].files[0], 'a\r\nb\r\n');
  assert.deepEqual(r.problems, []);
  assert.equal(r.text, 'a\nc\n');
});

test('paths escaping the base are refused: .., absolute, symlinks; the tree is never written', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-patch-'));
  try {
    const base = path.join(tmp, 'base');
    fs.cpSync(BASE, base, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'secret.c'), 'int secret;\n');
    fs.symlinkSync(tmp, path.join(base, 'drivers', 'escape'));
    fs.symlinkSync(path.join(tmp, 'secret.c'), path.join(base, 'drivers', 'link.c'));
    const before = treeHash(tmp);

    assert.equal(checkRelativePath('../x.c').ok, false);
    assert.equal(checkRelativePath('a/../../x.c').ok, false);
    assert.equal(checkRelativePath('/etc/passwd').ok, false);
    assert.equal(checkRelativePath('C:/x.c').ok, false);
    assert.deepEqual(checkRelativePath('./drivers//a.c'), { ok: true, rel: 'drivers/a.c' });
    assert.equal(resolveInBase(base, 'drivers/escape/secret.c').ok, false);
    assert.equal(resolveInBase(base, 'drivers/link.c').ok, false);
    assert.equal(resolveInBase(base, 'drivers/block/vsb.c').ok, true);
    assert.equal(resolveInBase(base, 'drivers/block/not-yet.c').ok, true);

    const set = parsePatches(fixture('path-escape.patch'), 'e.patch');
    const r = applySeries(set, fsBase(base));
    assert.deepEqual(r.problems.map((p) => p.message), [
      'patch 1 "[PATCH] vsb: touch files outside the tree": path "../../outside.c" escapes the base directory ("..") and is refused',
      'patch 1 "[PATCH] vsb: touch files outside the tree": absolute path "/etc/vsb-absolute.c" refused',
    ]);
    assert.deepEqual(r.files.map((f) => f.path), ['drivers/block/vsb.h']); // the safe file is still applied
    assert.ok(r.files[0].after?.includes('VSB_MAX_DEVS'));

    const sym = parsePatches(['--- a/drivers/escape/secret.c', '+++ b/drivers/escape/secret.c', '@@ -1 +1 @@', '-int secret;', '+int leaked;', ''].join('\n'), 's');
    const rs = applySeries(sym, fsBase(base));
    assert.equal(rs.files.length, 0);
    assert.match(rs.problems[0].message, /leaves the base directory through a symlink/);

    // Without a base the lexical checks still apply.
    assert.equal(applySeries(set, EMPTY_BASE).problems.length, 2);
    assert.equal(treeHash(tmp), before, 'nothing under the base (or next to it) was written');
    assert.ok(!fs.existsSync(path.join(tmp, 'outside.c')));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('git base: files come from the revision, not the (dirty) work tree; symlinks are absent', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-gitbase-'));
  try {
    const repo = path.join(tmp, 'repo');
    fs.cpSync(BASE, repo, { recursive: true });
    fs.symlinkSync('/etc/hostname', path.join(repo, 'drivers', 'block', 'link.c'));
    const git = gitIn(repo);
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const head = git('rev-parse', 'HEAD');
    // The checkout moves on: the work tree no longer matches the patch's pre-image.
    fs.writeFileSync(path.join(repo, 'drivers/block/vsb.c'), 'int unrelated;\n');
    const before = treeHash(repo);

    const set = parsePatches(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'p');
    assert.equal(applySeries(set, fsBase(repo)).problems.length, 2); // both hunks fail on the work tree
    const gb = gitBase(repo, head);
    const r = applySeries(set, gb);
    assert.deepEqual(r.problems, []);
    assert.ok(r.files[0].after?.includes('vsb_write_sb'));
    assert.equal(gb.read('drivers/block/link.c'), undefined);
    assert.equal(gb.read('drivers/block/nope.c'), undefined);
    assert.match(gb.refuse('../x.c') ?? '', /escapes/);
    assert.throws(() => gitBase(repo, 'no-such-rev'), /unknown revision/);
    assert.throws(() => gitBase(repo, '--output=x'), /not a revision/);

    // --base-rev auto takes the base-commit: trailer.
    const withTrailer = fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch').toString().replace('\n-- \n', `\nbase-commit: ${head}\n-- \n`);
    assert.equal(parsePatches(withTrailer, 'p').baseCommit, head);
    const pf = path.join(tmp, 'p.patch');
    fs.writeFileSync(pf, withTrailer);
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } };
    assert.equal(await reviewCommand([pf, '--base', repo, '--base-rev', 'auto', '--format', 'mailback'], io, { analyze: toyAnalyze }), 1);
    assert.equal(out, 'drivers/block/vsb.c:57: buf is written to the device without flush_kernel_vmap_range() [vmap-io-missing-flush]\n');
    assert.equal(treeHash(repo), before, 'the repository was not touched');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('git range: reviewed on the range base read from git; the repository is not touched', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-range-'));
  try {
    const repo = path.join(tmp, 'repo');
    fs.cpSync(BASE, repo, { recursive: true });
    const git = gitIn(repo, 'Ada Example', 'ada@example.org');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'vsb: initial import');
    const patch = path.join(tmp, 'p.patch');
    fs.writeFileSync(patch, fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'));
    git('apply', patch);
    git('commit', '-q', '-a', '-m', 'vsb: write the superblock');
    const c = path.join(repo, 'drivers/block/vsb.c');
    fs.writeFileSync(c, fs.readFileSync(c, 'utf8').replace('\tflush_kernel_vmap_range(vd->log, VSB_LOG_SIZE);\n', ''));
    git('commit', '-q', '-a', '-m', 'vsb: drop the log flush');
    const before = treeHash(repo);

    const review = await reviewGitRange(repo, 'HEAD~2..HEAD', { analyze: toyAnalyze });
    const mbox = formatPatchRange(repo, 'HEAD~2..HEAD').toString();
    assert.deepEqual(review.problems, []);
    assert.deepEqual(review.findings.map((f) => [f.patch.index, f.patch.file, f.patch.line, f.target.line, f.finding.function, f.finding.confidence]), [
      [1, 'git:HEAD~2..HEAD', lineOf(mbox, '+\tret = submit_bio_wait(bio);'), 57, 'vsb_write_sb', 'high'],
      [2, 'git:HEAD~2..HEAD', lineOf(mbox, ' \tret = submit_bio_wait(bio);', lineOf(mbox, 'Subject: [PATCH 2/2]')), 32, 'vsb_flush_log', 'high'],
    ]);
    // One commit: its parent is the base.
    const one = await reviewGitRange(repo, 'HEAD', { analyze: toyAnalyze });
    assert.deepEqual(one.findings.map((f) => [f.target.line, f.finding.confidence]), [[32, 'high']]);
    // The root commit has no parent: reviewed without a base, and said so.
    const root = await reviewGitRange(repo, git('rev-list', '--max-parents=0', 'HEAD'), { analyze: toyAnalyze });
    assert.ok(root.notes.some((n) => n.includes('no base revision')));

    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    assert.equal(await reviewCommand(['--git', 'HEAD~2..HEAD', '--repo', repo, '--format', 'mailback'], io, { analyze: toyAnalyze }), 1);
    assert.equal(out.split('\n').filter(Boolean).length, 2);
    assert.equal(err, '');
    assert.equal(await reviewCommand(['--git', '--evil', '--repo', repo], io, { analyze: toyAnalyze }), 2);
    // a range without commits is clean (0), not an empty input that could not be reviewed (2)
    err = '';
    assert.equal(await reviewCommand(['--git', 'HEAD..HEAD', '--repo', repo, '--format', 'mailback'], io, { analyze: toyAnalyze }), 0);
    assert.equal(err, '');
    assert.equal(treeHash(repo), before, 'the repository was not touched');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
