/**
 * Pre-pass results trusted through git (analyzer/scan/git.ts): a CI job scans a fresh checkout,
 * where every file has a new mtime and inode. Files git reports clean with the blob id stored in
 * the stat index are not read again; anything git cannot vouch for (a work-tree edit, a
 * different blob, no git at all) is, and the findings are always those of the current content.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { scanPaths } from '../../analyzer/scan';
import { cleanBlobs, parseDebugListing } from '../../analyzer/scan/git';
import { tmpdir } from './tmp';

const MULTI = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'multi');

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=vmalias', '-c', 'user.email=vmalias@example.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A repository holding the three-file chain (one cross-file finding) and some filler. */
function makeRepo(): { repo: string; work: string; cache: string } {
  const base = tmpdir('git');
  const repo = path.join(base, 'origin');
  fs.mkdirSync(repo);
  git(repo, 'init', '-q');
  for (const f of fs.readdirSync(path.join(MULTI, 'three_file_chain'))) {
    fs.copyFileSync(path.join(MULTI, 'three_file_chain', f), path.join(repo, f));
  }
  fs.mkdirSync(path.join(repo, 'lib'));
  for (let i = 0; i < 5; i++) {
    fs.writeFileSync(path.join(repo, 'lib', `filler${i}.c`), `int filler${i}(int x)\n{\n\treturn x * ${i};\n}\n`);
  }
  ageTree(repo);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'fixture');
  return { repo, work: path.join(base, 'work'), cache: path.join(base, 'cache') };
}

/** Set every file's mtime a minute back (not .git). */
function ageTree(dir: string): void {
  const t = new Date(Date.now() - 60_000);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) ageTree(p);
    else fs.utimesSync(p, t, t);
  }
}

/** A fresh checkout at the same path, as a CI job makes one: new inodes and mtimes. */
function freshCheckout(repo: string, work: string): void {
  fs.rmSync(work, { recursive: true, force: true });
  git(path.dirname(work), 'clone', '-q', repo, work);
  // A checkout this small is written in the same second as git's index, so git itself would
  // re-read every file (racy entries). A real tree's checkout takes many seconds; make this one
  // look like it: files a minute old, and git's index refreshed to their stat data.
  ageTree(work);
  git(work, 'update-index', '-q', '--refresh');
}

function lines(r: { findings: { file: string; span: { start: { line: number } } }[] }): string[] {
  return r.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`).sort();
}

test('git: a fresh checkout of the same commit is trusted through blob ids and nothing is read', async () => {
  const { repo, work, cache } = makeRepo();
  freshCheckout(repo, work);
  const first = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  assert.equal(first.findings.length, 1);
  assert.equal(first.stats.gitHits, 0);
  freshCheckout(repo, work);
  const again = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  assert.equal(again.stats.gitHits, again.stats.filesSeen);
  assert.equal(again.stats.filesRead, 0);
  assert.equal(again.stats.filesParsed, 0);
  assert.deepEqual(lines(again), lines(first));
  // without git the same checkout is read again
  freshCheckout(repo, work);
  const noGit = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: false });
  assert.equal(noGit.stats.gitHits, 0);
  assert.ok(noGit.stats.filesRead > 0);
  assert.deepEqual(lines(noGit), lines(first));
});

test('git: a work-tree edit and a new commit are read again; the findings follow the content', async () => {
  const { repo, work, cache } = makeRepo();
  freshCheckout(repo, work);
  const first = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  assert.equal(first.findings.length, 1);
  const flagged = first.findings[0].file;
  const rel = path.relative(work, flagged);
  const text = fs.readFileSync(flagged, 'utf8');
  const lineText = text.split('\n')[first.findings[0].span.start.line - 1];
  // the flagged call removed (same size, so only the content tells): a work-tree edit git reports
  freshCheckout(repo, work);
  const edited = text.replace(lineText, lineText.replace(/\S/g, ' '));
  assert.equal(edited.length, text.length);
  fs.writeFileSync(flagged, edited);
  // old enough for blob ids to be stored (the others keep the stat data git recorded)
  const t = new Date(Date.now() - 30_000);
  fs.utimesSync(flagged, t, t);
  const r1 = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  assert.equal(r1.stats.gitHits, r1.stats.filesSeen - 1, 'all but the edited file');
  assert.deepEqual(r1.findings, []);
  // the same edit committed, then a fresh checkout: its blob differs from the stored one
  fs.writeFileSync(path.join(repo, rel), edited);
  git(repo, 'commit', '-qam', 'drop the call');
  freshCheckout(repo, work);
  const r2 = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  assert.deepEqual(r2.findings, []);
  // and back: the original commit's blob ids are the ones the index stored first, but the index now
  // holds the edited file's; the file is read and the finding comes back
  git(repo, 'revert', '--no-edit', 'HEAD');
  freshCheckout(repo, work);
  const r3 = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  assert.deepEqual(lines(r3), lines(first));
});

test('git: a missing git executable or a directory outside any work tree only means no git hits', async () => {
  const { repo, work, cache } = makeRepo();
  freshCheckout(repo, work);
  await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true });
  freshCheckout(repo, work);
  const r = await scanPaths([work], { cacheDir: cache, quiet: true, jobs: 1, git: true, gitCommand: path.join(work, 'no-such-git') });
  assert.equal(r.stats.gitHits, 0);
  assert.equal(r.findings.length, 1);
  const plain = tmpdir('nogit');
  assert.equal(cleanBlobs([plain]), undefined);
  assert.equal(cleanBlobs([work], { command: path.join(work, 'no-such-git') }), undefined);
});

test('cleanBlobs: files whose stat data git recorded, matched through a symbolic link to the root', () => {
  const { repo } = makeRepo();
  fs.writeFileSync(path.join(repo, 'untracked.c'), 'int u;\n');
  fs.appendFileSync(path.join(repo, 'lib', 'filler1.c'), '/* edited */\n');
  fs.writeFileSync(path.join(repo, 'lib', 'filler2.c'), 'int staged;\n');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(path.join(repo, 'lib', 'filler2.c'), old, old);
  git(repo, 'add', 'lib/filler2.c');
  // recorded with an mtime not older than git's index: git would compare its content (racy)
  fs.writeFileSync(path.join(repo, 'lib', 'filler3.c'), 'int racy;\n');
  const later = new Date(Date.now() + 30_000);
  fs.utimesSync(path.join(repo, 'lib', 'filler3.c'), later, later);
  git(repo, 'add', 'lib/filler3.c');
  const link = `${repo}-link`;
  fs.symlinkSync(repo, link);
  const st = (rel: string) => fs.statSync(path.join(repo, rel));
  for (const root of [repo, link]) {
    const blobOf = cleanBlobs([root]);
    assert.ok(blobOf, root);
    const at = (rel: string) => blobOf(path.join(root, rel), st(rel));
    assert.equal(at('lib/filler0.c'), git(repo, 'rev-parse', 'HEAD:lib/filler0.c').trim());
    assert.equal(at('lib/filler1.c'), undefined, 'edited since git recorded it');
    assert.equal(at('lib/filler2.c'), git(repo, 'rev-parse', ':lib/filler2.c').trim(), 'staged: the index blob is its content');
    assert.equal(at('lib/filler3.c'), undefined, 'racy');
    assert.equal(at('untracked.c'), undefined, 'untracked');
    assert.equal(blobOf(path.join(`${root}x`, 'lib', 'filler0.c'), st('lib/filler0.c')), undefined, 'outside the root');
    // the same path with other stat data (a rewrite that kept the size) is not vouched for
    const s0 = st('lib/filler0.c');
    assert.equal(blobOf(path.join(root, 'lib', 'filler0.c'), { size: s0.size, ino: s0.ino, mtimeMs: s0.mtimeMs + 1000 }), undefined);
  }
});

test('parseDebugListing: entries need mtime, inode and size; quoted paths and other stages are left out', () => {
  const blob = 'a'.repeat(40);
  const entry = (head: string) => `${head}\n  ctime: 1:0\n  mtime: 1700000000:500000000\n  dev: 1\tino: 42\n  uid: 0\tgid: 0\n  size: 7\tflags: 0`;
  const out = [
    entry(`100644 ${blob} 0\tok.c`),
    entry(`100644 ${blob} 2\tconflict.c`),
    entry(`120000 ${blob} 0\tlink.c`),
    entry(`100644 ${blob} 0\t"we\\tird.c"`),
    `100644 ${blob} 0\tshort.c\n  mtime: 1:0`,
  ].join('\n');
  const m = parseDebugListing(out);
  assert.deepEqual([...m.keys()], ['ok.c']);
  assert.deepEqual(m.get('ok.c'), { blob, size: 7, mtimeMs: 1700000000500, ino: 42 });
});
