import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { StructSizes, sizeofOperand } from '../../analyzer/engine/structsize';

const SRC = `
#define NAME_LEN 32
#define NR_SLOTS (2 * 8)
struct a { u8 x; u32 y; };                       /* 8 + 8 */
struct b { struct a inner[2]; u64 *p, q; };      /* 32 + 8 + 8 */
union u { u8 bytes[12]; u64 word; };             /* max(16, 8) */
struct c {
	char name[NAME_LEN];                         /* 32 */
	union { u32 w; u16 h[2]; };                  /* 8 */
	struct { u16 lo, hi; } pair;                 /* 8 + 8 */
	unsigned long long big:40, small:3;          /* 8 + 8 */
	void (*cb)(struct c *c, int why);            /* 8 */
	u8 tail[];                                   /* 0 */
} __packed;
typedef struct { u32 v[NR_SLOTS]; } slots_t;     /* 64 */
struct d { struct list_head node; spinlock_t lock; };
struct e { struct not_here h; };
struct f { u32 x __aligned(64); };
struct g { DECLARE_BITMAP(map, 64); };
struct h { struct h2 *next; enum foo_state st; };
#if 0
struct i { u8 only_here; };
#endif
`;

test('structsize: members, unions, nested and anonymous members, arrays and flexible arrays', () => {
  const s = new StructSizes(SRC);
  assert.equal(s.bound('struct', 'a'), 16);
  assert.equal(s.bound('struct', 'b'), 48);
  assert.equal(s.bound('union', 'u'), 16);
  assert.equal(s.bound('struct', 'c'), 32 + 8 + 16 + 16 + 8);
  assert.equal(s.bound('typedef', 'slots_t'), 64);
  // kernel types from the table: bounds with lock debugging on
  assert.equal(s.bound('struct', 'd'), 16 + 128);
  // alignment attributes add their padding
  assert.equal(s.bound('struct', 'f'), 8 + 64);
  assert.equal(s.bound('struct', 'h'), 16);
  // conditionally compiled definitions count too: a bound over every configuration
  assert.equal(s.bound('struct', 'i'), 8);
});

test('structsize: a member the file cannot size leaves the struct unbounded', () => {
  const s = new StructSizes(SRC);
  assert.equal(s.bound('struct', 'e'), undefined);
  assert.equal(s.bound('struct', 'g'), undefined);
  assert.equal(s.bound('struct', 'nowhere'), undefined);
});

test('structsize: sizeof operands — types, dereferenced variables, pointers', () => {
  const s = new StructSizes(SRC);
  const types = new Map([
    ['cmd', { base: 'a', isStruct: true, ptr: 1, array: false }],
    ['pp', { base: 'a', isStruct: true, ptr: 2, array: false }],
    ['arr', { base: 'u8', isStruct: false, ptr: 0, array: true }],
  ]);
  const typeOf = (n: string) => types.get(n);
  const bound = (operand: string) => {
    const o = sizeofOperand(operand, typeOf);
    return !o ? undefined : 'pointer' in o ? 8 : s.typeSize(o.type);
  };
  assert.equal(bound('*cmd'), 16);
  assert.equal(bound('(*cmd)'), 16);
  assert.equal(bound('cmd'), 8);
  assert.equal(bound('*pp'), 8);
  assert.equal(bound('**pp'), 16);
  assert.equal(bound('struct b'), 48);
  assert.equal(bound('union u'), 16);
  // a variable's type says `struct` for a union too
  assert.equal(s.typeSize('struct u'), 16);
  assert.equal(bound('u64'), 8);
  assert.equal(bound('unsigned  long'), 8);
  assert.equal(bound('struct e *'), 8);
  assert.equal(bound('arr'), undefined);
  assert.equal(bound('*unknown_var'), undefined);
  assert.equal(bound('cmd->field'), undefined);
  assert.equal(s.define('NAME_LEN'), '32');
});

test('structsize: comments and strings do not open definitions; unbalanced input is tolerated', () => {
  const s = new StructSizes('/* struct x { u8 a; }; */ const char *t = "struct y { u8 b; }";\nstruct z { u8 c;');
  assert.equal(s.bound('struct', 'x'), undefined);
  assert.equal(s.bound('struct', 'y'), undefined);
  assert.equal(s.bound('struct', 'z'), undefined);
});

test('structsize: member types, through anonymous members, function pointers and shared declarations', () => {
  const s = new StructSizes(SRC);
  assert.deepEqual(s.memberType('struct b', 'p'), { base: 'u64', isStruct: false, ptr: 1, array: false });
  assert.deepEqual(s.memberType('struct b', 'q'), { base: 'u64', isStruct: false, ptr: 0, array: false });
  assert.deepEqual(s.memberType('struct b', 'inner'), { base: 'a', isStruct: true, ptr: 0, array: true });
  assert.deepEqual(s.memberType('struct c', 'h'), { base: 'u16', isStruct: false, ptr: 0, array: true });
  assert.deepEqual(s.memberType('struct c', 'pair'), { base: '', isStruct: true, ptr: 0, array: false });
  assert.deepEqual(s.memberType('struct c', 'cb'), { base: 'void', isStruct: false, ptr: 1, array: false });
  assert.deepEqual(s.memberType('typedef slots_t', 'v'), { base: 'u32', isStruct: false, ptr: 0, array: true });
  assert.deepEqual(s.memberType('struct h', 'next'), { base: 'h2', isStruct: true, ptr: 1, array: false });
  assert.equal(s.memberType('struct b', 'nope'), undefined);
  assert.equal(s.memberType('struct zz', 'p'), undefined);
});

test('sizeofOperand: member chains are typed through the struct definitions', () => {
  const s = new StructSizes(SRC);
  const vars = new Map([['bp', { base: 'b', isStruct: true, ptr: 1, array: false }], ['hv', { base: 'h', isStruct: true, ptr: 0, array: false }]]);
  const memberOf = (t: { base: string; isStruct: boolean }, m: string) => s.memberType(`${t.isStruct ? 'struct' : 'typedef'} ${t.base}`, m);
  assert.deepEqual(sizeofOperand('bp->p', (n) => vars.get(n), memberOf), { pointer: true });
  assert.deepEqual(sizeofOperand('*bp->p', (n) => vars.get(n), memberOf), { type: 'u64' });
  assert.deepEqual(sizeofOperand('(hv.next)', (n) => vars.get(n), memberOf), { pointer: true });
  assert.deepEqual(sizeofOperand('*hv.next', (n) => vars.get(n), memberOf), { type: 'struct h2' });
  // an array member, an unknown member, a member of an unknown variable: not known
  assert.equal(sizeofOperand('bp->inner', (n) => vars.get(n), memberOf), undefined);
  assert.equal(sizeofOperand('bp->nope', (n) => vars.get(n), memberOf), undefined);
  assert.equal(sizeofOperand('zz->p', (n) => vars.get(n), memberOf), undefined);
  // without the definitions, as before
  assert.equal(sizeofOperand('bp->p', (n) => vars.get(n)), undefined);
});
