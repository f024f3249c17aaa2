/**
 * The wasm backend copies tree-sitter's tree into SNodes with a direct builder (cursor functions
 * called on the runtime's transfer buffer, rows and columns from offsets) instead of the public
 * TreeCursor. It must give exactly the tree the public cursor gives, on clean code, on damaged
 * code (ERROR and MISSING nodes) and on text outside ASCII, or the analyzer would see a
 * different program.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Language, Parser } from 'web-tree-sitter';
import { copyTree, directTreeCopy, loadWasmLanguage, sameTree } from '../../analyzer/parse/backends';
import { descendants } from '../../analyzer/parse/syntax';
import { BAD_DIR, damagedFixtures, FIXTURE_DIR, listFixtures } from './fixtures-harness';

let parser: Parser;
let language: Language;

function bothWays(text: string): { direct: ReturnType<typeof copyTree>; cursor: ReturnType<typeof copyTree> } {
  const tree = parser.parse(text);
  assert.ok(tree);
  try {
    return { direct: copyTree(tree, text), cursor: copyTree(tree) };
  } finally {
    tree.delete();
  }
}

describe('direct tree copy (wasm backend)', () => {
  before(async () => {
    const loaded = await loadWasmLanguage();
    language = loaded.language;
    parser = new loaded.ts.Parser();
    parser.setLanguage(language);
  });

  test('is enabled with the bundled runtime (its load-time probe passed)', () => {
    assert.equal(directTreeCopy(), true);
  });

  test('gives the public cursor\'s tree for every fixture and bad input', () => {
    const files = [
      ...listFixtures().map((f) => path.join(FIXTURE_DIR, f)),
      ...fs.readdirSync(BAD_DIR).map((f) => path.join(BAD_DIR, f)),
    ];
    assert.ok(files.length > 50);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const { direct, cursor } = bothWays(text);
      assert.ok(sameTree(direct, cursor), f);
    }
  });

  test('gives the public cursor\'s tree on damaged code with ERROR, MISSING and non-ASCII text', () => {
    let errors = 0;
    let missing = 0;
    for (const { i, name, text } of damagedFixtures(120, 7)) {
      const { direct, cursor } = bothWays(text);
      assert.ok(sameTree(direct, cursor), `damaged ${name} (case ${i})`);
      for (const d of descendants(direct)) {
        if (d.type === 'ERROR') errors++;
        else if (d.error) missing++;
      }
    }
    // the damage must actually have produced what this test claims to cover
    assert.ok(errors > 50, `ERROR nodes: ${errors}`);
    assert.ok(missing > 5, `MISSING nodes: ${missing}`);
  });

  test('rows and columns are UTF-16 positions after non-ASCII text', () => {
    const text = '/* é */ /* 😀 */ int x;\nchar *s = "ü"; int y = 1;\n';
    const { direct } = bothWays(text);
    const decls = direct.children.filter((c) => c.type === 'declaration');
    assert.equal(decls.length, 3);
    assert.deepEqual([decls[0].sr, decls[0].sc], [0, text.indexOf('int x')]);
    const second = text.indexOf('\n') + 1;
    assert.deepEqual([decls[2].sr, decls[2].sc], [1, text.indexOf('int y') - second]);
    assert.equal(text.slice(decls[2].start, decls[2].end), 'int y = 1;');
  });

  test('copying the same tree many times keeps giving the same tree (the cursor is freed, not reused)', () => {
    const text = fs.readFileSync(path.join(FIXTURE_DIR, listFixtures()[0]), 'utf8');
    const tree = parser.parse(text);
    assert.ok(tree);
    try {
      const first = copyTree(tree, text);
      for (let i = 0; i < 300; i++) assert.ok(sameTree(copyTree(tree, text), first));
      assert.ok(sameTree(copyTree(tree), first));
    } finally {
      tree.delete();
    }
  });
});
