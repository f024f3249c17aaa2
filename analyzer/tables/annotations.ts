/**
 * Kernel annotation macros: attributes, sparse address spaces and section markers that expand to
 * `__attribute__((…))` or to nothing. tree-sitter sees only an unknown identifier, and where one
 * sits between a type and a declarator its error recovery can lose the whole definition:
 * `static int __init foo_init(void) { … }` parses as a declaration of `__init` followed by a
 * stray block, so the function (every module_init() has this shape) is never analysed, and
 * `void __iomem *reg = base;` parses as `void __iomem;` and a store through `reg`. The parser is
 * given the text with these blanked (parse/mask.ts); positions and the text the analyzer reads
 * are the file's own.
 *
 * Only names that are never ordinary identifiers are listed.
 */

/** Annotations written as a bare word. */
export const ANNOTATION_WORDS: readonly string[] = [
  // include/linux/init.h v6.18.2 l.45–83; v2.6.33 also has the __dev*/__cpu* forms (removed in v3.8 and v3.11)
  '__init', '__exit', '__initdata', '__initconst', '__exitdata', '__exit_call', '__ref', '__refdata', '__refconst',
  '__meminit', '__meminitdata', '__meminitconst', '__init_or_module', '__initdata_or_module',
  '__devinit', '__devexit', '__devinitdata', '__devinitconst', '__cpuinit', '__cpuinitdata', '__cpuexit',
  // include/linux/compiler_attributes.h v6.18.2
  '__always_inline', '__always_unused', '__maybe_unused', '__must_check', '__used', '__weak', '__pure', '__noreturn',
  '__malloc', '__flatten', '__noclone', '__visible', '__packed', '__aligned_largest', '__cold', 'noinline',
  // include/linux/compiler_types.h v6.18.2: sparse address spaces and checks, tracing, entropy
  '__user', '__iomem', '__percpu', '__rcu', '__force', '__nocast', '__safe', '__private', '__bitwise',
  'notrace', 'noinstr', '__latent_entropy', '__no_kcsan', '__no_sanitize_address',
  // include/linux/cache.h v6.18.2, include/linux/sched/debug.h (__sched), include/linux/kprobes.h v4.19 (__kprobes)
  '__read_mostly', '__ro_after_init', '__cacheline_aligned', '__cacheline_aligned_in_smp', '____cacheline_aligned',
  '____cacheline_aligned_in_smp', '__sched', '__kprobes', '__cpuidle', '__irq_entry', '__lockfunc',
];

/** Annotations with an argument list (`__free(kvfree)`, `__releases(&q->lock)`). */
export const ANNOTATION_CALLS: readonly string[] = [
  // include/linux/cleanup.h v6.18.2 l.213 (__free), compiler_attributes.h (__cleanup, __aligned, __section, __printf, __scanf, __alloc_size)
  '__free', '__cleanup', '__aligned', '__section', '__printf', '__scanf', '__alloc_size',
  // include/linux/compiler_types.h v6.18.2 l.38–69 (lock context), l.368–393 (bounds)
  '__acquires', '__releases', '__must_hold', '__cond_acquires', '__counted_by', '__counted_by_le', '__counted_by_be',
];

/**
 * Macros that take a type as an argument (`container_of(bio, struct foo_io, bio)`): the grammar
 * expects expressions there, and `struct foo_io` leaves a syntax error in the middle of what is
 * often the declaration naming the callback's object. The parser is given the type's tag alone
 * (`struct`/`union` blanked), an identifier in its place.
 */
export const TYPE_ARGUMENT_MACROS: readonly string[] = [
  // include/linux/container_of.h v6.18.2 l.19–35
  'container_of', 'container_of_const',
  // include/linux/list.h l.608–655, l.1146–1155; rculist.h l.363; llist.h l.109; rbtree.h (rb_entry, rb_entry_safe l.77)
  'list_entry', 'list_first_entry', 'list_last_entry', 'list_first_entry_or_null', 'list_last_entry_or_null',
  'list_entry_rcu', 'list_first_or_null_rcu', 'hlist_entry', 'hlist_entry_safe', 'llist_entry', 'rb_entry', 'rb_entry_safe',
  // include/linux/stddef.h l.16–32
  'offsetof', 'offsetofend', 'sizeof_field',
];

/**
 * Macros whose first argument is a type, used as values (`min_t(unsigned int, len, PAGE_SIZE)`):
 * a type of more than one word (`unsigned int`, `u8 *`) is no expression, and tree-sitter wraps
 * the call in an error node. The parser is given the type joined into one identifier of the same
 * length (`unsigned_int`); the analyzer reads the file's text. include/linux/minmax.h v6.18.2
 * l.161, l.169, l.218.
 */
export const TYPE_FIRST_MACROS: readonly string[] = ['min_t', 'max_t', 'clamp_t'];

