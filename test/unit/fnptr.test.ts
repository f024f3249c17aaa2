/**
 * Function-pointer slots read from a file's text (analyzer/engine/fnptr.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_SLOT_TARGETS, pointerSlots } from '../../analyzer/engine/fnptr';

const fns = new Set(['foo_push', 'foo_push_v2', 'foo_submit', 'foo_fill', 'foo_a', 'foo_b', 'foo_c', 'foo_d', 'foo_e']);
const isFn = (n: string) => fns.has(n);

test('ops-table initializers, member stores and function-pointer variables fill slots', () => {
  const text = [
    'static const struct foo_ops v1 = {',
    '\t.push\t\t= foo_push,',
    '\t.submit = &foo_submit',
    '};',
    'static const struct foo_ops v2 = { .push = foo_push_v2, };',
    'static int (*fill_fn)(struct foo *f, void *buf, size_t len) = foo_fill;',
    'int foo_probe(struct foo *f)',
    '{',
    '\tf->cb = foo_fill;',
    '\tf->ops.xfer = foo_submit;',
    '\tlocal_fn = foo_push;',
    '\treturn 0;',
    '}',
  ].join('\n');
  assert.deepEqual(Object.fromEntries(pointerSlots(text, isFn)), {
    push: ['foo_push', 'foo_push_v2'],
    submit: ['foo_submit'],
    fill_fn: ['foo_fill'],
    cb: ['foo_fill'],
    xfer: ['foo_submit'],
    local_fn: ['foo_push'],
  });
});

test('comparisons, compound assignments, calls and names that are not functions of the file fill nothing', () => {
  const text = [
    'int foo_check(struct foo *f)',
    '{',
    '\tif (f->cb == foo_fill)',
    '\t\treturn 1;',
    '\tf->count += foo_push;',
    '\tf->ret = foo_submit(f);',
    '\tf->other = bar_unknown;',
    '\tf->flag = !foo_push;',
    '\treturn f->cb != foo_fill;',
    '}',
  ].join('\n');
  assert.deepEqual([...pointerSlots(text, isFn)], []);
});

test(`a slot with more than ${MAX_SLOT_TARGETS} functions is left out`, () => {
  const many = ['foo_a', 'foo_b', 'foo_c', 'foo_d', 'foo_e'].map((f, i) => `static const struct foo_ops t${i} = { .open = ${f}, .push = ${i ? 'foo_push' : 'foo_push_v2'} };`).join('\n');
  const slots = pointerSlots(many, isFn);
  assert.equal(slots.has('open'), false);
  assert.deepEqual(slots.get('push'), ['foo_push', 'foo_push_v2']);
});
