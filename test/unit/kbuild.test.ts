/**
 * analyzer/kbuild.ts: which files a tree's kbuild Makefiles and Kconfig entries build only for
 * architectures whose caches do not alias, and what that does to a scan's findings.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { confineFindings, KbuildReader } from '../../analyzer/kbuild';
import { scanPaths } from '../../analyzer/scan';
import { projectRoot } from './fixtures-harness';

const TREE = path.join(projectRoot(), 'test', 'fixtures', 'kbuild', 'tree');
const BAD = path.join(projectRoot(), 'test', 'fixtures', 'kbuild', 'bad_tree');
const MODULE = path.join(projectRoot(), 'test', 'fixtures', 'kbuild', 'module');

/** Each fixture file, the symbol that confines it to x86 (undefined: built for aliasing architectures too). */
const EXPECTED: Record<string, string | undefined> = {
  'drivers/camx/camx_fw.c': 'CAMX', // second part of a `camx-objs` list continued with `\`
  'drivers/camx/camx_main.c': 'CAMX',
  'drivers/shared/shdev.c': undefined, // PCI || COMPILE_TEST
  'drivers/shared/shx86.c': 'SHX86', // X86 || COMPILE_TEST
  'drivers/shared/shmixed.c': undefined, // X86 || ARM; after a help text saying "if X86 …"
  'drivers/shared/shnotx86.c': undefined, // !X86
  'drivers/shared/shdev_x86.c': 'X86', // inside `ifdef CONFIG_X86` in the Makefile
  'drivers/x86only/plat.c': 'X86', // obj-$(CONFIG_X86) += x86only/, no Makefile of its own
  'drivers/gpuy/sub/gpuy_dma.c': 'GPUY', // $(core-y) in gpuy-y; Kconfig sourced inside `if X86`
};

test('kbuild: the tree is found from a file, and each file is confined by the symbol its build files give', () => {
  assert.equal(KbuildReader.rootOf(path.join(TREE, 'drivers/camx/camx_fw.c')), TREE);
  const r = new KbuildReader(TREE);
  for (const [file, symbol] of Object.entries(EXPECTED)) {
    const c = r.confinementOf(path.join(TREE, file));
    assert.equal(c?.symbol, symbol, file);
    if (c) assert.deepEqual(c.archs, ['X86'], file);
  }
  // where the `if X86` is: the Kconfig file that sources GPUY's
  assert.equal(r.confinementOf(path.join(TREE, 'drivers/gpuy/sub/gpuy_dma.c'))?.where, 'drivers/Kconfig');
  assert.equal(r.confinementOf(path.join(TREE, 'drivers/camx/camx_fw.c'))?.depends, 'X86 && HAS_DMA');
});

test('kbuild: cyclic and malformed build files, binary Kconfig files and files outside a tree give no confinement and no error', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-kbuild-'));
  try {
    fs.cpSync(BAD, d, { recursive: true });
    fs.writeFileSync(path.join(d, 'drivers/loop/Kconfig.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)));
    const r = new KbuildReader(d);
    assert.equal(r.confinementOf(path.join(d, 'drivers/loop/a.c')), undefined);
    assert.equal(r.confinementOf(path.join(d, 'drivers/loop/missing.c')), undefined);
    assert.equal(r.confinementOf(path.join(d, 'no/such/dir/x.c')), undefined);
    assert.equal(KbuildReader.rootOf(path.join(os.tmpdir(), 'nowhere', 'x.c')), undefined);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('kbuild: a scan makes the cache-alias findings of x86-only files information, keeps linear-map errors, and kbuild: false keeps all', async () => {
  const r = await scanPaths([TREE], { noCache: true, quiet: true, jobs: 1 });
  const sev = new Map(r.findings.map((f) => [`${path.relative(TREE, f.file)} ${f.rule}`, f.severity]));
  for (const [file, symbol] of Object.entries(EXPECTED)) {
    if (file.endsWith('camx_main.c')) continue;
    assert.equal(sev.get(`${file} vmap-io-missing-flush`), symbol ? 'info' : 'warning', file);
  }
  assert.equal(sev.get('drivers/camx/camx_main.c vmalloc-linear-map'), 'error');
  const camx = r.findings.find((f) => f.file.endsWith('camx_fw.c'));
  assert.match(camx?.message ?? '', /built only with CONFIG_CAMX, which needs `X86 && HAS_DMA` \(drivers\/camx\/Kconfig\): x86 only/);

  const off = await scanPaths([TREE], { noCache: true, quiet: true, jobs: 1, kbuild: false });
  assert.deepEqual(off.findings.filter((f) => f.severity === 'info'), []);
  assert.equal(off.findings.length, r.findings.length);
});

test('kbuild: confineFindings leaves info findings, arch/ code and files outside a kernel tree as they are', async () => {
  const r = await scanPaths([path.join(TREE, 'drivers/shared/shdev.c')], { noCache: true, quiet: true, jobs: 1, kbuild: false });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0];
  const moved = (file: string) => confineFindings([{ ...f, file }])[0];
  assert.equal(moved(path.join(TREE, 'drivers/shared/shdev.c')).severity, 'warning');
  assert.equal(moved(path.join(TREE, 'drivers/shared/shx86.c')).severity, 'info');
  assert.equal(moved(path.join(os.tmpdir(), 'elsewhere', 'shx86.c')).severity, 'warning');
  const info = { ...f, file: path.join(TREE, 'drivers/shared/shx86.c'), severity: 'info' as const };
  assert.equal(confineFindings([info])[0], info);
});

test('kbuild: a module with no kernel tree above it is confined by its own Makefile and Kconfig', async () => {
  assert.equal(KbuildReader.rootOf(path.join(MODULE, 'hpx_log.c')), undefined);
  assert.equal(KbuildReader.moduleRootOf(path.join(MODULE, 'hpx_log.c')), MODULE);
  const r = await scanPaths([MODULE], { noCache: true, quiet: true, jobs: 1 });
  const sev = Object.fromEntries(r.findings.map((f) => [path.basename(f.file), f.severity]));
  assert.deepEqual(sev, { 'hpx_any.c': 'warning', 'hpx_log.c': 'info' });
  assert.match(r.findings.find((f) => f.file.endsWith('hpx_log.c'))?.message ?? '', /built only with CONFIG_HPX_LOG, which needs `X86_64`/);
  // a C file with no kbuild file next to it is not a module's
  assert.equal(KbuildReader.moduleRootOf(path.join(os.tmpdir(), 'no-such-dir', 'x.c')), undefined);
});
