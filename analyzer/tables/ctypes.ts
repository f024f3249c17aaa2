/**
 * Upper bounds of the sizes of C and kernel types, in bytes, for bounding `sizeof(struct foo)` of a
 * struct the file defines (engine/structsize.ts). They are bounds, not sizes: a kvmalloc() of at
 * most PAGE_SIZE bytes never falls back to vmalloc (tables/allocators.ts kvmallocFallback), so a
 * bound that is too large only keeps a finding, one that is too small would lose one. Each is the
 * largest the type takes on a 64-bit kernel (LP64), lock and work types with lockdep and the
 * debugging options on, rounded up.
 *
 * Sources: include/uapi/asm-generic/int-ll64.h and include/linux/types.h v6.18.2 (fixed-width and
 * address types), include/linux/spinlock_types.h / spinlock_types_raw.h (with CONFIG_DEBUG_SPINLOCK
 * and CONFIG_DEBUG_LOCK_ALLOC a spinlock_t is ~64 bytes), include/linux/mutex_types.h,
 * include/linux/workqueue_types.h, include/linux/timer_types.h, include/linux/wait.h,
 * include/linux/completion.h, include/linux/kref.h, include/linux/rbtree_types.h v6.18.2.
 */

/** Scalar type words: the size of one. A multi-word type (`unsigned long long`) takes its largest word. */
export const SCALAR_BYTES: ReadonlyMap<string, number> = new Map([
  ['char', 1], ['bool', 1], ['_Bool', 1], ['u8', 1], ['s8', 1], ['__u8', 1], ['__s8', 1], ['uint8_t', 1], ['int8_t', 1],
  ['short', 2], ['u16', 2], ['s16', 2], ['__u16', 2], ['__s16', 2], ['__le16', 2], ['__be16', 2], ['uint16_t', 2], ['int16_t', 2],
  ['int', 4], ['unsigned', 4], ['signed', 4], ['float', 4], ['u32', 4], ['s32', 4], ['__u32', 4], ['__s32', 4],
  ['__le32', 4], ['__be32', 4], ['uint32_t', 4], ['int32_t', 4], ['gfp_t', 4], ['fmode_t', 4], ['umode_t', 2],
  ['long', 8], ['double', 8], ['u64', 8], ['s64', 8], ['__u64', 8], ['__s64', 8], ['__le64', 8], ['__be64', 8],
  ['uint64_t', 8], ['int64_t', 8], ['size_t', 8], ['ssize_t', 8], ['loff_t', 8], ['sector_t', 8], ['blkcnt_t', 8],
  ['dma_addr_t', 8], ['phys_addr_t', 8], ['resource_size_t', 8], ['uintptr_t', 8], ['ptrdiff_t', 8], ['pgoff_t', 8],
  ['ktime_t', 8], ['time64_t', 8], ['pid_t', 4], ['uid_t', 4], ['gid_t', 4], ['kuid_t', 4], ['kgid_t', 4], ['dev_t', 4],
  ['atomic_t', 4], ['atomic64_t', 8], ['atomic_long_t', 8], ['refcount_t', 4], ['__wsum', 4], ['__sum16', 2],
]);

/** Words that qualify a type and add no size of their own. */
export const TYPE_QUALIFIERS: ReadonlySet<string> = new Set(['const', 'volatile', 'static', 'register', 'restrict', '__restrict']);

/** Kernel structs and typedefs of structs, by tag or typedef name: an upper bound of their size. */
export const KERNEL_STRUCT_BYTES: ReadonlyMap<string, number> = new Map([
  ['list_head', 16], ['hlist_head', 8], ['hlist_node', 16], ['llist_node', 8], ['llist_head', 8],
  ['rb_node', 24], ['rb_root', 8], ['rb_root_cached', 16], ['rcu_head', 16], ['callback_head', 16],
  ['kref', 4], ['spinlock_t', 128], ['raw_spinlock_t', 128], ['spinlock', 128], ['raw_spinlock', 128], ['rwlock_t', 128],
  ['mutex', 256], ['rw_semaphore', 256], ['semaphore', 256], ['wait_queue_head_t', 256], ['wait_queue_head', 256],
  ['completion', 256], ['work_struct', 256], ['delayed_work', 512], ['timer_list', 256], ['hrtimer', 256],
  ['scatterlist', 40], ['bio_vec', 16], ['kvec', 16], ['iovec', 16], ['xarray', 256], ['idr', 256], ['ida', 256],
]);

/** A pointer (64-bit kernels). */
export const POINTER_BYTES = 8;

/**
 * Alignment attributes (include/linux/cache.h, compiler_attributes.h): the padding one can add.
 * L1_CACHE_BYTES is at most 256 (s390).
 */
export const ALIGNMENT_PAD: ReadonlyMap<string, number> = new Map([
  ['____cacheline_aligned', 256], ['____cacheline_aligned_in_smp', 256], ['__cacheline_aligned', 256],
  ['__cacheline_aligned_in_smp', 256], ['__aligned_largest', 256], ['____cacheline_internodealigned_in_smp', 4096],
]);
