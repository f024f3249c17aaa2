/**
 * The grep-accelerated pre-pass (analyzer/scan/grep.ts): grep's candidate set must contain every
 * file the JS matcher accepts, its word lists must equal what the JS regex finds, and any failure
 * must fall back to reading the files, never to losing one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { argBatches, grepFiles, grepGroups, GrepRun, GrepShells, shellQuote } from '../../analyzer/scan/grep';
import { execFileSync } from 'child_process';
import { getEventListeners } from 'events';
import { inScope, nameClasses, NameMatcher, scopedGroups, stackCandidate, wordsRegex, type LinkName } from '../../analyzer/scan/prefilter';
import { prng } from './prng';
import { scanPaths } from '../../analyzer/scan';
import { tmpdir } from './tmp';

const ROOT = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const matcher = new NameMatcher(nameClasses());


function cFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...cFiles(p));
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

test('argBatches: every file once, in order, each batch under the byte budget unless one name alone exceeds it', () => {
  const files = Array.from({ length: 50 }, (_, i) => `dir/file-${i}.c`);
  const b = argBatches(files, 64);
  assert.deepEqual(b.flat(), files);
  for (const x of b) assert.ok(x.length === 1 || x.reduce((n, f) => n + f.length + 1, 0) <= 64);
  assert.deepEqual(argBatches(['a-very-long-name.c'], 4), [['a-very-long-name.c']]);
});

test('grep -l: the files grep lists are exactly those the JS matcher accepts (fixtures plus near misses)', async (t) => {
  const d = tmpdir('grep');
  // substrings and prefixes of table names must not count; a name in a comment does (as in JS)
  fs.writeFileSync(path.join(d, 'near.c'), 'int my_vmalloc_pool(void);\nint xvzalloc(int);\nint vmalloc_like;\n');
  fs.writeFileSync(path.join(d, 'comment.c'), '/* uses vzalloc() */\nint a;\n');
  fs.writeFileSync(path.join(d, 'latin1.c'), Buffer.from([0x69, 0x6e, 0x74, 0x20, 0xe9, 0x3b, 0x0a, ...Buffer.from('x = vmap(p, 1, 0, PAGE_KERNEL);\n')]));
  const files = [...cFiles(path.join(ROOT, 'c')), ...cFiles(path.join(ROOT, 'multi')), ...cFiles(d)];
  const r = await grepFiles(files, matcher.names(), { jobs: 2, maxArgBytes: 2048 });
  if (!r) return t.skip('grep is not available');
  assert.deepEqual(r.failed, []);
  const js = files.filter((f) => matcher.classify(fs.readFileSync(f).toString('latin1')) !== 0);
  assert.deepEqual([...r.hits.keys()].sort(), js.sort());
  assert.ok(js.includes(path.join(d, 'comment.c')) && js.includes(path.join(d, 'latin1.c')) && !js.includes(path.join(d, 'near.c')));
});

test('grep -o: the names found per file equal what the JS word regex finds', async (t) => {
  const files = cFiles(path.join(ROOT, 'multi'));
  // the functions the multi-file fixtures define, as linking names would be
  const names = [...new Set(files.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/^\w[^;(]*?\b(\w+)\(/gm)].map((m) => m[1])))];
  assert.ok(names.length > 5);
  const r = await grepFiles(files, names, { jobs: 2, words: true });
  if (!r) return t.skip('grep is not available');
  const re = wordsRegex(names) as RegExp;
  for (const f of files) {
    const want = [...new Set([...fs.readFileSync(f, 'latin1').matchAll(re)].map((m) => m[0]))].sort();
    assert.deepEqual([...(r.hits.get(f) ?? [])].sort(), want, f);
  }
});

test('grep: many identifiers go as one extended regex, few or other names as fixed strings (a dot is not "any character")', async (t) => {
  const d = tmpdir('grepre');
  const f = path.join(d, 'a.c');
  fs.writeFileSync(f, 'int xzy;\nint vmalloc_user;\n');
  if (!(await grepFiles([f, f], ['vmalloc'], { jobs: 1 }))) return t.skip('grep is not available');
  // enough names for the -E alternation, and few (-F)
  const pad = Array.from({ length: 70 }, (_, i) => `unrelated_name_${i}`);
  for (const extra of [pad, []]) {
    const ids = await grepFiles([f], [...extra, 'vmalloc', 'vmalloc_user'], { jobs: 1, words: true });
    assert.deepEqual([...(ids?.hits.get(f) ?? [])], ['vmalloc_user']);
    const literal = await grepFiles([f], [...extra, 'x.y', 'vmalloc_user'], { jobs: 1, words: true });
    assert.deepEqual([...(literal?.hits.get(f) ?? [])], ['vmalloc_user']);
    const none = await grepFiles([f], [...extra, 'x.y'], { jobs: 1 });
    assert.equal(none?.hits.size, 0);
    // a batch of one file: grep -o names the file only when told to (-H); without it this was
    // "unexpected output" and turned grep off for the rest of the scan
    for (const names of [['vmalloc_user'], ['x.y', 'vmalloc_user']]) {
      const one = await grepFiles([f], [...extra, ...names], { jobs: 1, words: true, maxArgBytes: 1 });
      assert.deepEqual([...(one?.hits.get(f) ?? ['grep gave up'])], ['vmalloc_user']);
    }
  }
});

test('grepGroups: each file gets what its own groups\' names find, a file in two groups the union', async (t) => {
  const files = cFiles(path.join(ROOT, 'multi'));
  const names = [...new Set(files.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/^\w[^;(]*?\b(\w+)\(/gm)].map((m) => m[1])))].sort();
  assert.ok(names.length > 5 && files.length > 3);
  const a = names.filter((_, k) => k % 2 === 0);
  const b = names.filter((_, k) => k % 2 === 1);
  const half = Math.ceil(files.length / 2);
  // the first group overlaps the second by one file
  const groups = [{ files: files.slice(0, half + 1), names: a }, { files: files.slice(half), names: b }];
  const r = await grepGroups(groups, { jobs: 2, words: true, maxArgBytes: 512 });
  if (!r) return t.skip('grep is not available');
  assert.deepEqual(r.failed, []);
  for (const f of files) {
    const want = new Set<string>();
    for (const g of groups) {
      if (!g.files.includes(f)) continue;
      for (const m of fs.readFileSync(f, 'latin1').matchAll(wordsRegex(g.names) as RegExp)) want.add(m[0]);
    }
    assert.deepEqual([...(r.hits.get(f) ?? [])].sort(), [...want].sort(), f);
  }
});

test('scopedGroups: every file is searched for exactly the names whose scope holds it, in one group', () => {
  const rnd = prng(6);
  const dirs = ['drivers/md/', 'drivers/md/dm-vdo/', 'drivers/net/', 'drivers/net/ethernet/intel/', 'fs/', 'fs/xfs/', 'mm/', 'lib/'];
  const rels = Array.from({ length: 400 }, (_, i) => `${dirs[Math.floor(rnd() * dirs.length)]}f${i}.c`);
  const sizes = rels.map(() => Math.floor(rnd() * 200_000));
  const links = new Map<string, LinkName>();
  for (let k = 0; k < 60; k++) {
    const scopes = [dirs[Math.floor(rnd() * dirs.length)]];
    if (rnd() < 0.2) scopes.push(dirs[Math.floor(rnd() * dirs.length)]);
    if (k === 59) scopes.push('');
    links.set(`link_${k}`, { bits: 1, definers: [k], scopes });
  }
  const names = [...links.keys()].filter((_, k) => k !== 3);
  const idx = rels.map((_, i) => i).filter((i) => i % 7 !== 0);
  for (const [minBytes, maxNames] of [[0, 96], [2_000_000, 8], [4_000_000, 96], [Infinity, 1000]]) {
    const { groups, allowed } = scopedGroups(rels, sizes, idx, names, links, minBytes, maxNames);
    const seen = new Map<number, number>();
    for (const g of groups) {
      for (const i of g.idx) seen.set(i, (seen.get(i) ?? 0) + 1);
      const own = new Set(g.idx.flatMap((i) => [...(allowed.get(i) ?? [])]));
      for (const nm of own) assert.ok(g.names.includes(nm), `${nm} searched where it counts`);
      if (minBytes === 0) assert.deepEqual([...own].sort(), [...g.names].sort(), 'no pooling: a group is one name set');
    }
    for (const i of idx) {
      const want = names.filter((nm) => inScope(rels[i], links.get(nm)!.scopes)).sort();
      assert.deepEqual([...(allowed.get(i) ?? [])].sort(), want, rels[i]);
      assert.equal(seen.get(i) ?? 0, want.length ? 1 : 0, 'once, or not at all when no name applies');
    }
    for (const i of seen.keys()) assert.ok(idx.includes(i));
    if (minBytes === Infinity) assert.equal(groups.length, 1, 'everything pooled');
    if (maxNames === 8) for (const g of groups) assert.ok(g.names.length <= 8 || new Set(g.idx.map((i) => allowed.get(i))).size === 1);
  }
});

test('GrepRun fed file by file, with the process count changed midway, finds what one grepFiles call finds; cancel rejects', async (t) => {
  const files = [...cFiles(path.join(ROOT, 'c')), ...cFiles(path.join(ROOT, 'multi'))];
  const whole = await grepFiles(files, matcher.names(), { jobs: 2 });
  if (!whole) return t.skip('grep is not available');
  const names = matcher.names();
  const run = new GrepRun({ jobs: 1, maxArgBytes: 1024 });
  const rng = prng(7);
  for (const [k, f] of files.entries()) {
    run.push(names, f);
    if (k === files.length >> 1) run.setJobs(3);
    // let batches finish while files are still being pushed, as during a walk
    if (rng() < 0.2) await new Promise((r) => setImmediate(r));
  }
  assert.equal(run.count, files.length);
  const r = await run.end();
  assert.ok(r);
  assert.deepEqual([...r.hits.keys()].sort(), [...whole.hits.keys()].sort());
  assert.deepEqual(r.failed, []);
  assert.throws(() => run.push(names, files[0]), /after end/);
  const stopped = new GrepRun({ jobs: 2, maxArgBytes: 256 });
  for (const f of files) stopped.push(names, f);
  stopped.cancel();
  await assert.rejects(stopped.end(), (e: Error) => e.name === 'AbortError');
});

test('scan: the first grep started during the walk (no stat index) and the one after it (an index) give the same result', async () => {
  const d = tmpdir('grepearly');
  for (const sub of ['multi', 'c']) fs.cpSync(path.join(ROOT, sub), path.join(d, sub), { recursive: true });
  const cacheDir = tmpdir('grepearly-cache');
  const key = (r: Awaited<ReturnType<typeof scanPaths>>) => r.findings.map((f) => `${f.file}:${f.span.start.line}:${f.rule}`).sort();
  const js = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, grep: false });
  // Files modified after a scan began are never trusted by its index (whatever the time the scans
  // take on a loaded machine): the index the first scan writes trusts none of these, so the next
  // scan greps them all again, after its walk.
  const later = new Date(Date.now() + 120_000);
  const touch = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const q = path.join(dir, e.name);
      if (e.isDirectory()) touch(q); else fs.utimesSync(q, later, later);
    }
  };
  touch(d);
  const early = await scanPaths([d], { cacheDir, quiet: true, jobs: 1, grep: true });
  const late = await scanPaths([d], { cacheDir, quiet: true, jobs: 1, grep: true });
  assert.ok(js.findings.length > 50);
  assert.deepEqual(key(early), key(js));
  assert.deepEqual(key(late), key(js));
  for (const r of [early, late]) {
    assert.equal(r.stats.filesPrefiltered, js.stats.filesPrefiltered);
    assert.ok(r.stats.grepFiles >= r.stats.filesSeen, JSON.stringify(r.stats));
  }
  assert.equal(late.stats.resultCached, 0);
});

/** This process's live children that are shells, from /proc. */
function shellsOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let st: string;
    try { st = fs.readFileSync(`/proc/${e}/stat`, 'utf8'); } catch { continue; }
    const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
    const [state, ppid] = st.slice(st.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid && comm === 'sh' && state !== 'Z') out.push(Number(e));
  }
  return out;
}

test('shellQuote: sh reads back exactly the word it was given', () => {
  for (const w of ["plain", "it's", "two words", "new\nline", "-dash", "$HOME", "back\\slash", "''", "`x`", "a\"b"]) {
    assert.equal(execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(w)}`]).toString(), w);
  }
});

test('GrepShells: greps run from long-lived shells find what directly spawned ones find, odd file names included', async (t) => {
  const d = tmpdir('grepsh');
  const src = 'static void *p;\nvoid f(void) { p = vzalloc(8); sg_init_one(&sg, p, 8); }\n';
  const odd = ["it's here.c", 'new\nline.c', '-dash.c', '$x `y`.c', 'back\\slash.c'].map((n) => path.join(d, n));
  for (const f of odd) fs.writeFileSync(f, src);
  const files = [...cFiles(path.join(ROOT, 'c')), ...cFiles(path.join(ROOT, 'multi')), ...odd, path.join(d, 'missing.c')];
  const direct = await grepFiles(files, matcher.names(), { jobs: 2, maxArgBytes: 1500 });
  if (!direct) return t.skip('grep is not available');
  const shells = new GrepShells(2);
  try {
    for (const words of [false, true]) {
      const names = words ? ['vzalloc', 'sg_init_one', 'kvfree'] : matcher.names();
      const want = await grepFiles(files, names, { jobs: 2, maxArgBytes: 1500, words });
      const got = await grepFiles(files, names, { jobs: 2, maxArgBytes: 1500, words, shells });
      assert.ok(want && got);
      assert.deepEqual([...got.hits].map(([f, w]) => [f, [...w].sort()]).sort(), [...want.hits].map(([f, w]) => [f, [...w].sort()]).sort());
      // the batch holding the missing file exited with status 2: its files are handed back
      assert.ok(got.failed.includes(path.join(d, 'missing.c')));
      assert.deepEqual(got.failed.sort(), want.failed.sort());
    }
    for (const f of odd) assert.ok(direct.hits.has(f) || direct.failed.includes(f), f);
    // without the missing file no batch fails: every odd name goes through the output parser,
    // a newline in a path included
    const readable = files.filter((f) => !f.endsWith('missing.c'));
    for (const via of [undefined, shells]) {
      const r = await grepFiles(readable, ['vzalloc', 'sg_init_one', 'kvfree'], { jobs: 2, words: true, ...(via ? { shells: via } : {}) });
      assert.ok(r);
      assert.deepEqual(r.failed, []);
      for (const f of odd) assert.deepEqual([...(r.hits.get(f) ?? [])].sort(), ['sg_init_one', 'vzalloc'], JSON.stringify(f));
    }
  } finally {
    shells.close();
  }
});

test('GrepShells: a shell killed under a scan hands its command to a direct grep; a cancelled scan leaves no shell behind', async (t) => {
  if (!fs.existsSync('/proc/self/stat')) return t.skip('needs /proc');
  const files = [...cFiles(path.join(ROOT, 'c')), ...cFiles(path.join(ROOT, 'multi'))];
  const want = await grepFiles(files, matcher.names(), { jobs: 1 });
  if (!want) return t.skip('grep is not available');
  // a grep that takes 50 ms per batch, so the run is still going when the test acts on it
  const slow = path.join(tmpdir('slowgrep'), 'slowgrep');
  fs.writeFileSync(slow, '#!/bin/sh\nsleep 0.05\nexec grep "$@"\n', { mode: 0o755 });
  const until = async (cond: () => boolean): Promise<void> => {
    for (let k = 0; k < 400 && !cond(); k++) await new Promise((r) => setTimeout(r, 5));
  };
  const shells = new GrepShells(1);
  try {
    const run = new GrepRun({ jobs: 1, maxArgBytes: 512, shells, command: slow });
    // one names array for all files: GrepRun groups files by the array they are pushed with
    const names = matcher.names();
    for (const f of files) run.push(names, f);
    const done = run.end();
    let mine: number[] = [];
    await until(() => (mine = shellsOf(process.pid)).length > 0);
    assert.equal(mine.length, 1);
    for (const pid of mine) process.kill(pid, 'SIGKILL');
    const got = await done;
    assert.ok(got);
    assert.deepEqual([...got.hits.keys()].sort(), [...want.hits.keys()].sort());
  } finally {
    shells.close();
  }
  await until(() => shellsOf(process.pid).length === 0);
  const ac = new AbortController();
  const shells2 = new GrepShells(2, ac.signal);
  const run2 = new GrepRun({ jobs: 2, maxArgBytes: 256, shells: shells2, signal: ac.signal, command: slow });
  const names2 = matcher.names();
  for (const f of files) run2.push(names2, f);
  const done2 = run2.end();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(done2, (e: Error) => e.name === 'AbortError');
  await until(() => shellsOf(process.pid).length === 0);
  assert.deepEqual(shellsOf(process.pid), []);
});

test('grep: runs and shells leave no abort listener on a signal the caller keeps', async (t) => {
  const files = cFiles(path.join(ROOT, 'multi'));
  const ac = new AbortController();
  const shells = new GrepShells(2, ac.signal);
  for (let k = 0; k < 3; k++) {
    const r = await grepFiles(files, matcher.names(), { jobs: 2, signal: ac.signal, shells });
    if (!r) return t.skip('grep is not available');
  }
  const run = new GrepRun({ jobs: 1, signal: ac.signal });
  run.push(['vmalloc'], files[0]);
  run.cancel();
  shells.close();
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
});

test('grep: a file it cannot read is handed back as failed, not dropped; a missing grep gives undefined', async (t) => {
  const d = tmpdir('grepfail');
  const ok = path.join(d, 'ok.c');
  fs.writeFileSync(ok, 'void *p = vmalloc(4);\n');
  const gone = path.join(d, 'gone.c');
  const r = await grepFiles([ok, gone], matcher.names(), { jobs: 1 });
  if (!r) return t.skip('grep is not available');
  assert.deepEqual(r.failed.sort(), [gone, ok].sort());
  assert.equal(await grepFiles([ok], matcher.names(), { jobs: 1, command: path.join(d, 'no-such-grep') }), undefined);
});

test('scan: with grep, without it, and with a broken one, the same files are selected and the same findings come out', async () => {
  const noise = tmpdir('grepnoise');
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(noise, `drv${i}.c`), `static int drv${i}_probe(void)\n{\n\treturn ${i};\n}\n`);
  const dirs = [path.join(ROOT, 'multi'), path.join(ROOT, 'c'), noise];
  const key = (r: Awaited<ReturnType<typeof scanPaths>>) => r.findings.map((f) => `${f.file}:${f.span.start.line}:${f.rule}`).sort();
  const base = await scanPaths(dirs, { noCache: true, quiet: true, jobs: 1, grep: false });
  const withGrep = await scanPaths(dirs, { noCache: true, quiet: true, jobs: 1, grep: true });
  const broken = await scanPaths(dirs, { noCache: true, quiet: true, jobs: 1, grep: true, grepCommand: '/nonexistent/grep' });
  assert.ok(base.findings.length > 50);
  assert.deepEqual(key(withGrep), key(base));
  assert.deepEqual(key(broken), key(base));
  assert.equal(withGrep.stats.filesPrefiltered, base.stats.filesPrefiltered);
  assert.ok(withGrep.stats.grepFiles > 0 && withGrep.stats.filesRead < base.stats.filesRead, 'grep spared reading files');
  // the pre-pass's parts are timed, and they are parts of it
  for (const r of [base, withGrep, broken]) {
    const s = r.stats;
    assert.ok(s.grepMs >= 0 && s.candidatesMs > 0 && s.linkMs > 0, JSON.stringify(s));
    assert.ok(s.grepMs + s.candidatesMs + s.linkMs <= s.prefilterMs + 1, JSON.stringify(s));
  }
  assert.ok(withGrep.stats.grepMs > 0);
  assert.equal(broken.stats.grepFiles, 0);
  assert.ok(broken.notes.some((n) => /grep is not usable/.test(n.message)));
});

test('grep: file names with spaces, a newline or a leading dash give the same findings as the JS pre-pass', async () => {
  const d = tmpdir('grepnames');
  const src = fs.readFileSync(path.join(ROOT, 'c', 'bi_opf_assign_write.c'), 'utf8');
  fs.mkdirSync(path.join(d, 'sub dir'));
  for (const name of ['sub dir/has space.c', 'new\nline.c', '-dash.c']) fs.writeFileSync(path.join(d, name), src);
  const key = (r: Awaited<ReturnType<typeof scanPaths>>) => r.findings.map((f) => `${f.file}:${f.span.start.line}:${f.rule}`).sort();
  const js = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, grep: false });
  const withGrep = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, grep: true });
  assert.equal(js.findings.length, 3 * src.split('/* expect:').length - 3);
  assert.deepEqual(key(withGrep), key(js));
  assert.ok(withGrep.stats.grepFiles === 3 || withGrep.notes.some((n) => /grep is not usable/.test(n.message)));
});

test('stackCandidate: an array or an addressed object declared in a body reaches a device-facing sink', () => {
  const fn = (decl: string, call: string) => `static int foo_probe(struct usb_device *udev)\n{\n${decl}\n\n\tfoo_prepare();\n${call}\n\treturn 0;\n}\n`;
  const usb = '\tusb_control_msg(udev, pipe, REQ, TYPE, 0, 0, buf, sizeof(buf), 1000);';
  assert.equal(stackCandidate(fn('\tu8 buf[4];', usb)), true, 'a local array');
  assert.equal(stackCandidate(fn('\tunsigned char\n\t\tbuf[8] = { 0 };', usb)), true, 'the type word on the line before');
  assert.equal(stackCandidate(fn('\tstruct foo_cmd cmd = { .op = 1 };', '\tsg_init_one(&sg, &cmd, sizeof(cmd));')), true, 'an addressed struct');
  assert.equal(stackCandidate(fn('\tstruct foo_cmd cmd;', '\tsg_init_one(&sg, &cmd.hdr, sizeof(cmd.hdr));')), true, 'a member of one');
  assert.equal(stackCandidate(fn('\tu8 *buf = kmalloc(4, GFP_KERNEL);', usb)), false, 'a pointer');
  assert.equal(stackCandidate(fn('\tstatic u8 buf[4];', usb)), false, 'a static array');
  assert.equal(stackCandidate(fn('\tstruct foo_cmd cmd;', '\tsg_init_one(&sg, cmd, sizeof(*cmd));')), false, 'an object not addressed');
  assert.equal(stackCandidate(`u8 buf[4];\n${fn('', usb)}`), false, 'a file-scope array');
  // one name handed to many calls, declared once at the end of the file: looked up once, found
  const many = Array.from({ length: 50 }, () => usb).join('\n');
  assert.equal(stackCandidate(`${fn('\tfoo_setup();', many)}\nstatic void foo_other(void)\n{\n\tu8 buf[2];\n\tfoo_use(buf);\n}\n`), true, 'another function\'s local (generous)');
  assert.equal(stackCandidate(fn('\treturn buf[0];', many)), false, 'only a use');
});
