/**
 * Transfer descriptors: structs whose members hand a buffer to a bus core that DMA-maps the
 * buffer's pages through the linear map, with no vmap maintenance, and the calls that chain them
 * into a message and submit it.
 *
 * SPI (drivers/spi/spi.c v6.18.2, spi_map_buf_attrs() l.1121–1193, the same in 6.12): a vmalloc
 * `tx_buf`/`rx_buf` is put in a scatterlist page by page with vmalloc_to_page() and mapped with
 * dma_map_sgtable(); nothing in drivers/spi calls flush_kernel_vmap_range() or
 * invalidate_kernel_vmap_range() (domain notes §3 #26; the 2017 linux-mtd thread on vmalloc UBI
 * buffers over SPI reports the corruption on ARM VIVT/VIPT). spi_sync() and spi_sync_transfer()
 * return after the transfer completed; spi_async() completes in the message's `complete` callback.
 * spi_write()/spi_read() build one transfer of their buffer argument. spi_write_then_read() copies
 * through the core's own bounce buffer and is not listed. A controller that moves a transfer by
 * PIO copies through the CPU's alias, which is coherent with itself: the hazard is the DMA case,
 * which the controller decides at run time (its can_dma()); the caller's flush costs PIO nothing.
 * The rows are not versioned: kernels from before the core mapped transfers itself had each
 * controller map `tx_buf` on its own (with dma_map_single() in the drivers read for this table,
 * wrong for vmalloc memory whatever the cache), which a warning here does not describe exactly.
 */

/** Per descriptor struct, the members that carry a buffer, and the direction of the transfer into or out of it. */
export const XFER_STRUCTS: ReadonlyMap<string, ReadonlyMap<string, 'read' | 'write'>> = new Map([
  ['spi_transfer', new Map<string, 'read' | 'write'>([['tx_buf', 'write'], ['rx_buf', 'read']])],
]);

/** Every member name of XFER_STRUCTS: a store into any other member is no transfer's buffer. */
export const XFER_MEMBERS: ReadonlySet<string> = new Set([...XFER_STRUCTS.values()].flatMap((m) => [...m.keys()]));

export type XferCall =
  /** chains descriptor `xfer` into message `msg` (`spi_message_add_tail(&t, &m)`) */
  | { kind: 'link'; xfer: number; msg: number }
  /** submits the descriptors of `holder` (a message, or an array of transfers) */
  | { kind: 'submit'; holder: number; sync: boolean }
  /** one transfer of buffer `ptr` in direction `dir`, waited for */
  | { kind: 'direct'; ptr: number; dir: 'read' | 'write' };

export const XFER_CALLS: ReadonlyMap<string, XferCall> = new Map<string, XferCall>([
  ['spi_message_add_tail', { kind: 'link', xfer: 0, msg: 1 }],
  ['spi_message_init_with_transfers', { kind: 'link', xfer: 1, msg: 0 }],
  ['spi_sync', { kind: 'submit', holder: 1, sync: true }],
  ['spi_sync_locked', { kind: 'submit', holder: 1, sync: true }],
  ['spi_async', { kind: 'submit', holder: 1, sync: false }],
  ['spi_sync_transfer', { kind: 'submit', holder: 1, sync: true }],
  ['spi_write', { kind: 'direct', ptr: 1, dir: 'write' }],
  ['spi_read', { kind: 'direct', ptr: 1, dir: 'read' }],
]);
