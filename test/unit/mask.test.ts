/** What the parser is given: annotations and mid-expression conditionals blanked, positions kept. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { maskAnnotations, maskMidExpressionConditionals, maskTypeArguments, maskTypeFirstArguments, parserText } from '../../analyzer/parse/mask';
import { analyzeText } from '../../analyzer/analyze';

describe('parserText', () => {
  test('blanks annotation macros, with their arguments, and nothing else', () => {
    const src = 'static int __init foo_init(void)\n{\n\tvoid __iomem *reg = base;\n\tvoid *b __free(kvfree) = kvmalloc(n, GFP_KERNEL);\n\treturn __initial + noinline_x;\n}\n';
    const out = maskAnnotations(src);
    assert.equal(out.length, src.length);
    assert.ok(out.includes('static int        foo_init(void)'));
    assert.ok(out.includes('void         *reg = base;'));
    assert.ok(out.includes('void *b                = kvmalloc('));
    // identifiers that merely start like one stay
    assert.ok(out.includes('return __initial + noinline_x;'));
    assert.equal(maskAnnotations('int x;\n'), 'int x;\n');
  });

  test('keeps the first branch of a conditional inside an expression, and leaves statement-level ones', () => {
    const mid = 'x = f(a,\n#ifdef CONFIG_A\n\tB | C,\n#elif defined(CONFIG_D)\n\tD,\n#else\n\tB,\n#endif\n\te);\n';
    const out = maskMidExpressionConditionals(mid);
    assert.equal(out.length, mid.length);
    assert.equal(out.split('\n').map((l) => l.trim()).filter(Boolean).join(' '), 'x = f(a, B | C, e);');
    const nested = 'y = g(1 |\n#if A\n#ifdef B\n\t2 |\n#endif\n\t4 |\n#else\n\t8 |\n#endif\n\t16);\n';
    assert.equal(maskMidExpressionConditionals(nested).split('\n').map((l) => l.trim()).filter(Boolean).join(' '), 'y = g(1 | 2 | 4 | 16);');
    const stmts = '#ifndef FOO_H\n#define FOO_H\n/* doc */\n#ifdef CONFIG_A\nint a;\n#else\nint b;\n#endif\nvoid f(void)\n{\n\tg();\n#ifdef CONFIG_B\n\th();\n#endif\n}\n#endif\n';
    assert.equal(maskMidExpressionConditionals(stmts), stmts);
    assert.equal(parserText(stmts), stmts);
  });

  test('a type argument of container_of() and its kin is its tag alone; other uses of struct stay', () => {
    const src = '\tstruct foo_io *io = container_of(bio, struct foo_io, bio);\n\tn = offsetof(struct foo_io, bv) + sizeof(struct foo_io);\n\tstruct bar *b = list_first_entry(&q->list, struct bar, node);\n';
    const out = maskTypeArguments(src);
    assert.equal(out.length, src.length);
    assert.ok(out.includes('struct foo_io *io = container_of(bio,        foo_io, bio);'));
    assert.ok(out.includes('offsetof(       foo_io, bv) + sizeof(struct foo_io)'));
    assert.ok(out.includes('struct bar *b = list_first_entry(&q->list,        bar, node);'));
  });

  test('a macro loop with a braced body is no syntax error worth a note; real damage still is', async () => {
    const loop = 'int f(struct scatterlist *sgl, int n)\n{\n\tstruct scatterlist *sg;\n\tvoid *v = vmalloc(n);\n\tint i, t = 0;\n\n\tfor_each_sg(sgl, sg, n, i) {\n\t\tt += sg->length;\n\t}\n\tvfree(v);\n\treturn t;\n}\n';
    const clean = await analyzeText(loop, 'l.c');
    assert.deepEqual(clean.notes.filter((x) => /syntax error/.test(x)), []);
    const broken = await analyzeText(loop.replace('return t;', 'return t +;'), 'l.c');
    assert.equal(broken.notes.filter((x) => /syntax error/.test(x)).length, 1);
  });

  test('a several-word type as the first argument of min_t() and its kin is one identifier to the parser', async () => {
    const src = '\tn = min_t(unsigned int, len, PAGE_SIZE);\n\tp = max_t(u8 *, a, b);\n\tc = clamp_t(unsigned long long, v, 0, 9);\n\tm = min_t(size_t, a, b);\n';
    const out = maskTypeFirstArguments(src);
    assert.equal(out.length, src.length);
    assert.ok(out.includes('min_t(unsigned_int, len, PAGE_SIZE)'));
    assert.ok(out.includes('max_t(u8__, a, b)'));
    assert.ok(out.includes('clamp_t(unsigned_long_long, v, 0, 9)'));
    assert.ok(out.includes('min_t(size_t, a, b)'));
    // no syntax error note for it, and the call's arguments are still read from the file's text
    const fn = 'int f(struct bio *bio, size_t len)\n{\n\tvoid *buf = vmalloc(len);\n\n\tmemset(buf, 0, len);\n\t__bio_add_page(bio, vmalloc_to_page(buf), min_t(unsigned int, len, PAGE_SIZE), 0);\n\treturn submit_bio_wait(bio);\n}\n';
    const r = await analyzeText(fn, 'm.c');
    assert.deepEqual(r.notes.filter((x) => /syntax error/.test(x)), []);
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0].trace.map((t) => t.message).join('\n'), /__bio_add_page/);
  });
});
