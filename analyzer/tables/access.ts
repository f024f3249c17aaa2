/**
 * How library calls touch memory through a pointer argument: CPU writes (`write`) and reads (`read`).
 * Anything passed to a function not listed here, and not summarised from the analysed source,
 * escapes: it is assumed written before a write I/O and read after a read I/O.
 * Sources: the kernel's string/uaccess/bitops/unaligned APIs (include/linux/string.h,
 * include/linux/uaccess.h, include/asm-generic/bitops/*.h, include/linux/unaligned.h, v6.18.2).
 */
export interface AccessRow {
  write?: number[];
  read?: number[];
  /** Touches the memory only through the argument's value without accessing it. */
  none?: number[];
}

const w = (...a: number[]): AccessRow => ({ write: a });

export const ACCESS: ReadonlyMap<string, AccessRow> = new Map<string, AccessRow>([
  ['memset', w(0)], ['memzero_explicit', w(0)], ['memset32', w(0)], ['memset64', w(0)],
  ['memcpy', { write: [0], read: [1] }], ['memmove', { write: [0], read: [1] }], ['__memcpy', { write: [0], read: [1] }],
  ['memcpy_fromio', { write: [0] }], ['memcpy_toio', { read: [1] }],
  ['copy_from_user', w(0)], ['__copy_from_user', w(0)], ['copy_from_iter', w(0)], ['_copy_from_user', w(0)],
  ['copy_to_user', { read: [1] }], ['__copy_to_user', { read: [1] }], ['copy_to_iter', { read: [0] }],
  ['strcpy', { write: [0], read: [1] }], ['strncpy', { write: [0], read: [1] }], ['strscpy', { write: [0], read: [1] }],
  ['strlcpy', { write: [0], read: [1] }], ['sprintf', w(0)], ['snprintf', w(0)], ['scnprintf', w(0)],
  ['memcmp', { read: [0, 1] }], ['strcmp', { read: [0, 1] }], ['strlen', { read: [0] }], ['memchr', { read: [0] }],
  ['crc32c', { read: [1] }], ['crc32_le', { read: [1] }], ['crc32_be', { read: [1] }], ['crc16', { read: [1] }],
  ['print_hex_dump', { read: [6] }],
  ['put_unaligned', w(1)], ['put_unaligned_le16', w(1)], ['put_unaligned_le32', w(1)], ['put_unaligned_le64', w(1)],
  ['put_unaligned_be16', w(1)], ['put_unaligned_be32', w(1)], ['put_unaligned_be64', w(1)],
  ['get_unaligned', { read: [0] }], ['get_unaligned_le16', { read: [0] }], ['get_unaligned_le32', { read: [0] }],
  ['get_unaligned_le64', { read: [0] }], ['get_unaligned_be16', { read: [0] }], ['get_unaligned_be32', { read: [0] }],
  ['get_unaligned_be64', { read: [0] }],
  // in-place byte-order updates (include/linux/byteorder/generic.h: `*var = cpu_to_le32(le32_to_cpu(*var) + val)`)
  ['le16_add_cpu', { write: [0], read: [0] }], ['le32_add_cpu', { write: [0], read: [0] }], ['le64_add_cpu', { write: [0], read: [0] }],
  ['be16_add_cpu', { write: [0], read: [0] }], ['be32_add_cpu', { write: [0], read: [0] }], ['be64_add_cpu', { write: [0], read: [0] }],
  ['le16_to_cpus', { write: [0], read: [0] }], ['le32_to_cpus', { write: [0], read: [0] }], ['le64_to_cpus', { write: [0], read: [0] }],
  ['cpu_to_le16s', { write: [0], read: [0] }], ['cpu_to_le32s', { write: [0], read: [0] }], ['cpu_to_le64s', { write: [0], read: [0] }],
  ['set_bit', w(1)], ['clear_bit', w(1)], ['__set_bit', w(1)], ['__clear_bit', w(1)], ['change_bit', w(1)],
  ['test_and_set_bit', { write: [1], read: [1] }], ['test_and_clear_bit', { write: [1], read: [1] }],
  ['bitmap_zero', w(0)], ['bitmap_fill', w(0)], ['bitmap_set', w(0)], ['bitmap_clear', w(0)],
  ['test_bit', { read: [1] }], ['find_first_bit', { read: [0] }], ['find_next_bit', { read: [0] }],
  ['find_first_zero_bit', { read: [0] }], ['find_next_zero_bit', { read: [0] }], ['bitmap_weight', { read: [0] }],
  // Pure address arithmetic / bookkeeping: no access, no escape.
  ['vfree', { none: [0] }], ['kvfree', { none: [0] }], ['vunmap', { none: [0] }], ['vm_unmap_ram', { none: [0] }],
  ['is_vmalloc_addr', { none: [0] }], ['is_vmalloc_or_module_addr', { none: [0] }], ['offset_in_page', { none: [0] }],
  ['vmalloc_to_page', { none: [0] }], ['vmalloc_to_pfn', { none: [0] }], ['vmalloc_to_folio', { none: [0] }],
  ['flush_kernel_vmap_range', { none: [0] }], ['invalidate_kernel_vmap_range', { none: [0] }],
  ['PTR_ERR', { none: [0] }], ['IS_ERR', { none: [0] }], ['IS_ERR_OR_NULL', { none: [0] }], ['ZERO_OR_NULL_PTR', { none: [0] }],
  ['WARN_ON', { none: [0] }], ['WARN_ON_ONCE', { none: [0] }], ['BUG_ON', { none: [0] }], ['unlikely', { none: [0] }],
  ['likely', { none: [0] }], ['PAGE_ALIGN', { none: [0] }], ['PTR_ALIGN', { none: [0] }], ['IS_ALIGNED', { none: [0] }],
  ['offset_in_folio', { none: [0] }], ['pr_debug', { none: [0, 1, 2, 3] }],
  // a predicate on the address (arch/*/include/asm/memory.h, v6.18.2): reads nothing through it
  ['virt_addr_valid', { none: [0] }],
  // the bio vecs a kernel address range needs (include/linux/bio.h, v6.16+): is_vmalloc_addr() and
  // offset_in_page() of the address
  ['bio_add_max_vecs', { none: [0] }],
  // alignment of an address (include/linux/align.h, include/linux/mm.h: macros the parser sees as calls)
  ['ALIGN', { none: [0] }], ['ALIGN_DOWN', { none: [0] }], ['PTR_ALIGN_DOWN', { none: [0] }], ['PAGE_ALIGN_DOWN', { none: [0] }],
]);

/**
 * Containers that keep a pointer for later (an xarray, an IDR, a radix tree): what is stored in one
 * is what a lookup in the same container gives back, as for a struct member. `container`: the
 * argument naming it (`&bc->tables`); `entry`: the stored pointer; `load`: the call returns an entry
 * (a lookup, an erase, a replace or cmpxchg giving back the old one).
 * Sources: include/linux/xarray.h, include/linux/idr.h, include/linux/radix-tree.h (v6.18.2).
 */
export interface ContainerRow {
  container: number;
  entry?: number;
  load?: boolean;
}

export const CONTAINERS: ReadonlyMap<string, ContainerRow> = new Map<string, ContainerRow>([
  ...['xa_store', '__xa_store', 'xa_store_bh', 'xa_store_irq', 'xa_insert', '__xa_insert', 'xa_insert_bh', 'xa_insert_irq']
    .map((n): [string, ContainerRow] => [n, { container: 0, entry: 2 }]),
  ['xa_cmpxchg', { container: 0, entry: 3, load: true }], ['__xa_cmpxchg', { container: 0, entry: 3, load: true }],
  ...['xa_load', 'xa_erase', '__xa_erase', 'xa_erase_bh', 'xa_erase_irq', 'xa_find', 'xa_find_after']
    .map((n): [string, ContainerRow] => [n, { container: 0, load: true }]),
  ...['idr_alloc', 'idr_alloc_cyclic', 'idr_alloc_u32'].map((n): [string, ContainerRow] => [n, { container: 0, entry: 1 }]),
  ['idr_replace', { container: 0, entry: 1, load: true }],
  ['idr_find', { container: 0, load: true }], ['idr_remove', { container: 0, load: true }],
  ['radix_tree_insert', { container: 0, entry: 2 }],
  ['radix_tree_lookup', { container: 0, load: true }], ['radix_tree_delete', { container: 0, load: true }],
]);

/**
 * Stores written as macros: `WRITE_ONCE(buf[0], v)` is `buf[0] = v` for the cache, a CPU write
 * through whatever the lvalue points into; `smp_store_release(&h->seq, v)` stores through its
 * pointer. `target`: the lvalue (or, `pointer`, the pointer) argument; `value`: the stored value.
 * Sources: include/asm-generic/rwonce.h (WRITE_ONCE, __WRITE_ONCE), include/asm-generic/barrier.h
 * (smp_store_release, smp_store_mb) v6.18.2.
 */
export const STORE_MACROS: ReadonlyMap<string, { target: number; value: number; pointer?: boolean }> = new Map([
  ['WRITE_ONCE', { target: 0, value: 1 }], ['__WRITE_ONCE', { target: 0, value: 1 }], ['smp_store_mb', { target: 0, value: 1 }],
  ['smp_store_release', { target: 0, value: 1, pointer: true }],
]);
