/**
 * Sinks: where a buffer's pages meet the block layer or the DMA API.
 *
 * kinds:
 * - `page-add`   ties a page to a bio (`page` = argument index of the struct page/folio, `bio` = bio argument)
 * - `sg-page`    puts a page into a scatterlist entry (`sg`, `page`)
 * - `sg-pages`   builds a scatterlist table from an array of pages (`sg`, `page` = the array)
 * - `submit`     submits a bio (`bio`; `sync` = returns after completion; `oldRw` = 2.6-era `submit_bio(rw, bio)`)
 * - `dma-map-sg` maps a scatterlist for DMA: the submitting call for scatterlist DMA (`sg`, `dir`)
 * - `dma-map-page` maps one page for DMA (`page`, `dir`)
 * - `linear`     always-wrong linear-map conversion of a virtual address (`ptr`)
 * - `rq-map-kern` maps a kernel buffer into a request: wrong before 5.3, sanitized internally since (`ptr`, `dirArg`)
 * - `vmalloc-add` adds a vmalloc range to a bio and flushes it for writes (≥ 6.16) (`bio`, `ptr`)
 * - `dm-io`      dm_io(): the request's memory type decides (DM_IO_KMEM wrong, DM_IO_VMA sanitized ≥ 3.0)
 * - `iter-bvec`  describes a bio_vec array (`sg`, filled like a scatterlist) to an iov_iter (`bio`) with
 *                a direction (`dir`): the iter then carries those pages like a bio, to a `submit` row
 *                with a fixed direction (`op`: vfs_iter_read() fills them, vfs_iter_write() reads them)
 */
import { appliesTo, KVersion, Versioned } from './common';

export type SinkKind = 'page-add' | 'sg-page' | 'sg-pages' | 'submit' | 'dma-map-sg' | 'dma-map-page' | 'linear' | 'rq-map-kern' | 'vmalloc-add' | 'dm-io' | 'iter-bvec';

export interface SinkRow extends Versioned {
  name: string;
  kind: SinkKind;
  bio?: number;
  page?: number;
  sg?: number;
  ptr?: number;
  /** Argument holding a DMA direction or request op. */
  dir?: number;
  /**
   * Argument holding the length the page add / mapping covers. For a `linear` sink: a transfer of
   * length 0 maps nothing (usb_hcd_map_urb_for_dma() maps a transfer buffer only when the URB's
   * length is not 0, drivers/usb/core/hcd.c v6.18.2), so a literal 0 there is no finding.
   */
  len?: number;
  /** What an `sg-page` row's `sg` argument is, for traces (default: a scatterlist). */
  entry?: string;
  /** A `submit` whose direction is its own, not the bio's (vfs_iter_read() always fills memory). */
  op?: 'read' | 'write';
  /** The call returns only after the I/O completed (submit_bio_wait). */
  sync?: boolean;
  /** Old `submit_bio(rw, bio)` form: with two arguments the first is the direction. */
  oldRw?: boolean;
  /**
   * A `dma-map-page` row that hands an existing streaming mapping back to the device: its `page`
   * argument is the DMA handle a mapping row returned (dma_sync_single_for_device()).
   */
  handBack?: boolean;
  /** Replacement offered for `linear` sinks when the pointer is always a vmalloc address. */
  vmallocReplacement?: string;
  /** For a `linear` sink whose conversion happens further down: where and how (finding text). */
  via?: string;
  /** What to do instead, for a `linear` sink with no vmalloc replacement (finding text); else the DMA API's alternatives. */
  advice?: string;
  /** What `via` said on kernels before this version (the kernel later refused vmalloc memory instead). */
  viaOld?: { until: string; text: string };
  /**
   * The conversion does not happen when the calling function names this flag (the buffer comes
   * pre-mapped: `urb->transfer_flags |= URB_NO_TRANSFER_DMA_MAP` with `urb->transfer_dma`/`urb->sgt`).
   */
  unlessNamed?: string;
  /**
   * What a `linear` sink does with the linear address of a page (`page_address(vmalloc_to_page(p))`,
   * PAGE_ADDRESS): the right page, so the I/O is that page's: put in a scatterlist (`sg-page`,
   * arguments `sg`, `page`, `len`), mapped for DMA (`dma-map-page`, the row's `dir`), or the page
   * back (`same`: virt_to_page() of it).
   */
  asPage?: { kind: 'sg-page' | 'dma-map-page' | 'same'; sg?: number; page?: number; len?: number };
}

/**
 * The linear-map address of a page (include/linux/mm.h v6.18.2 page_address(), lowmem_page_address(),
 * folio_address()): of a page of a vmalloc buffer, the page's other alias. Handing it to the DMA
 * API or a scatterlist maps the right page, but what the CPU wrote through the vmalloc alias is
 * still in the cache there (SinkRow.asPage).
 */
export const PAGE_ADDRESS: ReadonlySet<string> = new Set(['page_address', 'lowmem_page_address', 'folio_address']);

const BIO_H = 'include/linux/bio.h; block/bio.c v6.18.2';
const DMA = 'include/linux/dma-mapping.h v6.18.2; ARM dma_cache_maint_page() maintains the linear alias only (arch/arm/mm/dma-mapping.c ~l.645)';

const PCI_COMPAT = 'include/linux/pci-dma-compat.h v5.4.59 l.37–104; include/asm-generic/pci-dma-compat.h v2.6.33.3 (removed in v5.18)';
const IB = 'include/rdma/ib_verbs.h v6.18.2 l.4193–4330, v2.6.33.3';
const USB = 'include/linux/usb.h, drivers/usb/core/message.c v2.6.33–v6.18.2; drivers/usb/core/hcd.c usb_hcd_map_urb_for_dma(): v4.19 l.1592–1594 and v5.4.59 l.1491–1493 WARN "transfer buffer not dma capable" and -EAGAIN for is_vmalloc_addr(), v6.18.2 l.1488–1496 dma_map_single() (include/linux/dma-mapping.h v6.18.2 l.498 rejects vmalloc), v3.10 maps it unchecked';
const USB_VIA = 'the USB core refuses a vmalloc transfer buffer (a warning, and the URB fails with -EAGAIN)';
/** The USB core's check is in v4.19 and v5.4.59 and absent in v3.10 (the release between is not pinned by the trees here). */
const USB_OLD = { until: '4.19', text: 'the USB core maps the transfer buffer with dma_map_single() (usb_hcd_map_urb_for_dma()): the wrong page' };
const SDIO = 'drivers/mmc/core/sdio_io.c, sdio_ops.c mmc_io_rw_extended() v2.6.33, v4.19, v6.18.2';
const SDIO_VIA = 'the MMC core puts the buffer in a scatterlist with sg_init_one()/sg_set_buf() (mmc_io_rw_extended()): the wrong page';
const SDIO_ADVICE = 'use a kmalloc() buffer, or copy through one';
/** dma_map_single_attrs() refuses vmalloc memory in v5.4.59 (l.586–589) and v6.18.2 (l.498), not in v4.19. */
const DMA_SINGLE_VIA = 'the DMA API refuses vmalloc memory (a warning and DMA_MAPPING_ERROR: the I/O fails)';
const DMA_SINGLE_OLD = { until: '5.4', text: 'the DMA API maps virt_to_page() of it: the wrong page' };

export const SINK_ROWS: SinkRow[] = [
  { name: 'bio_add_page', kind: 'page-add', bio: 0, page: 1, len: 2, source: BIO_H },
  { name: '__bio_add_page', kind: 'page-add', bio: 0, page: 1, len: 2, source: BIO_H },
  { name: 'bio_add_pc_page', kind: 'page-add', bio: 1, page: 2, len: 3, until: '6.18', source: `${BIO_H} (removed by v6.18)` },
  { name: 'bio_add_zone_append_page', kind: 'page-add', bio: 0, page: 1, len: 2, source: BIO_H },
  { name: 'bio_add_folio', kind: 'page-add', bio: 0, page: 1, len: 2, source: BIO_H },
  { name: 'bio_add_folio_nofail', kind: 'page-add', bio: 0, page: 1, len: 2, source: BIO_H },
  { name: 'submit_bio', kind: 'submit', bio: 0, oldRw: true, source: `${BIO_H}; 2.6-era submit_bio(rw, bio) in fs/bio.c v2.6.34` },
  { name: 'submit_bio_noacct', kind: 'submit', bio: 0, source: 'block/blk-core.c v5.9+' },
  { name: 'generic_make_request', kind: 'submit', bio: 0, until: '5.9', source: 'block/blk-core.c v5.4.59' },
  { name: 'submit_bio_wait', kind: 'submit', bio: 0, sync: true, oldRw: true, source: 'block/bio.c v6.18.2; submit_bio_wait(rw, bio) before v4.8' },
  { name: 'sg_set_page', kind: 'sg-page', sg: 0, page: 1, len: 2, source: 'include/linux/scatterlist.h v6.18.2' },
  // bio_vec arrays handed to a file through an iov_iter (ITER_BVEC): the file's read_iter/write_iter
  // copies through kmap_local_page() of each page (include/linux/iov_iter.h v6.18.2 iterate_bvec())
  // or, for O_DIRECT, maps the pages for the device: the linear alias either way
  { name: 'bvec_set_page', kind: 'sg-page', entry: 'bio_vec', sg: 0, page: 1, len: 2, since: '6.3', source: 'include/linux/bvec.h v6.12, v6.18.2 l.41 (added in v6.3)' },
  { name: 'iov_iter_bvec', kind: 'iter-bvec', bio: 0, dir: 1, sg: 2, source: 'include/linux/uio.h, lib/iov_iter.c v6.18.2 l.295' },
  { name: 'vfs_iter_read', kind: 'submit', bio: 1, sync: true, op: 'read', source: 'fs/read_write.c v6.18.2 l.896' },
  { name: 'vfs_iter_write', kind: 'submit', bio: 1, sync: true, op: 'write', source: 'fs/read_write.c v6.18.2 l.959' },
  // tables built from a page array (`pages[i] = vmalloc_to_page(buf + i * PAGE_SIZE)`, or a vmap()ed array)
  { name: 'sg_alloc_table_from_pages', kind: 'sg-pages', sg: 0, page: 1, since: '3.6', source: 'include/linux/scatterlist.h v3.10, v6.18.2 (lib/scatterlist.c, added in v3.6)' },
  { name: '__sg_alloc_table_from_pages', kind: 'sg-pages', sg: 0, page: 1, since: '4.15', until: '5.15', source: 'include/linux/scatterlist.h v4.19, v5.4.59 (replaced in v5.15)' },
  { name: 'sg_alloc_table_from_pages_segment', kind: 'sg-pages', sg: 0, page: 1, since: '5.15', source: 'include/linux/scatterlist.h v6.18.2' },
  { name: 'sg_alloc_append_table_from_pages', kind: 'sg-pages', sg: 0, page: 1, since: '5.15', source: 'include/linux/scatterlist.h v6.18.2 (struct sg_append_table)' },
  { name: 'dma_map_sg', kind: 'dma-map-sg', sg: 1, dir: 3, source: DMA },
  { name: 'dma_map_sg_attrs', kind: 'dma-map-sg', sg: 1, dir: 3, source: DMA },
  { name: 'dma_map_sgtable', kind: 'dma-map-sg', sg: 1, dir: 2, source: DMA },
  // handing an already mapped table back to the device: the same point for the vmap alias's lines
  // (Documentation/core-api/dma-api.rst v6.18.2 l.680–683: after dma_vmap_noncontiguous(),
  // flush_kernel_vmap_range()/invalidate_kernel_vmap_range() around the syncs)
  { name: 'dma_sync_sgtable_for_device', kind: 'dma-map-sg', sg: 1, dir: 2, since: '5.8', source: `${DMA}; dma-api.rst v6.18.2 l.672–683` },
  { name: 'dma_sync_sg_for_device', kind: 'dma-map-sg', sg: 1, dir: 3, source: DMA },
  // the PCI DMA compatibility wrappers over the DMA API (include/linux/pci-dma-compat.h v5.4.59
  // l.37–104; include/asm-generic/pci-dma-compat.h v2.6.33.3; removed in v5.18)
  { name: 'pci_map_sg', kind: 'dma-map-sg', sg: 1, dir: 3, until: '5.18', source: PCI_COMPAT },
  { name: 'pci_dma_sync_sg_for_device', kind: 'dma-map-sg', sg: 1, dir: 3, until: '5.18', source: PCI_COMPAT },
  { name: 'pci_map_page', kind: 'dma-map-page', page: 1, dir: 4, len: 3, until: '5.18', source: PCI_COMPAT },
  { name: 'pci_map_single', kind: 'linear', ptr: 1, dir: 3, until: '5.18', via: `it maps the buffer with dma_map_single(): ${DMA_SINGLE_VIA}`, viaOld: { ...DMA_SINGLE_OLD, text: 'it maps the buffer with dma_map_single(): the wrong page' }, source: PCI_COMPAT },
  // RDMA's inline wrappers (include/rdma/ib_verbs.h v6.18.2 l.4193–4330; v2.6.33 has the sg, single
  // and page forms): the DMA API on the device's dma_device unless it is a software device
  { name: 'ib_dma_map_sg', kind: 'dma-map-sg', sg: 1, dir: 3, source: IB },
  { name: 'ib_dma_map_sg_attrs', kind: 'dma-map-sg', sg: 1, dir: 3, source: IB },
  { name: 'ib_dma_map_sgtable_attrs', kind: 'dma-map-sg', sg: 1, dir: 2, since: '5.10', source: `${IB} (absent in v5.4.59)` },
  { name: 'ib_dma_map_page', kind: 'dma-map-page', page: 1, dir: 4, len: 3, source: IB },
  { name: 'ib_dma_map_single', kind: 'linear', ptr: 1, dir: 3, via: `it maps the buffer with dma_map_single() on the RDMA device: ${DMA_SINGLE_VIA}`, viaOld: { ...DMA_SINGLE_OLD, text: 'it maps the buffer with dma_map_single() on the RDMA device: the wrong page' }, source: IB },
  // the RDMA READ/WRITE API maps the scatterlist on the RDMA device (ib_dma_map_sgtable_attrs in
  // rdma_rw_map_sgtable, drivers/infiniband/core/rw.c v6.18.2 l.292–362; ib_dma_map_sg in v4.19
  // and v5.4.59; added in v4.7 by "IB/core: generic RDMA READ/WRITE API")
  { name: 'rdma_rw_ctx_init', kind: 'dma-map-sg', sg: 3, dir: 8, since: '4.7', source: 'drivers/infiniband/core/rw.c v6.18.2 l.292, v4.19, v5.4.59 (include/rdma/rw.h)' },
  { name: 'rdma_rw_ctx_signature_init', kind: 'dma-map-sg', sg: 3, dir: 10, since: '4.7', source: 'drivers/infiniband/core/rw.c v6.18.2 l.364 (include/rdma/rw.h)' },
  { name: 'dmaengine_prep_slave_sg', kind: 'dma-map-sg', sg: 1, dir: 3, source: 'include/linux/dmaengine.h v6.18.2 (DMA_MEM_TO_DEV / DMA_DEV_TO_MEM)' },
  { name: 'spi_map_buf', kind: 'linear', ptr: 3, source: 'drivers/spi/spi.c v6.18.2 spi_map_buf_attrs: maps vmalloc pages without cache maintenance (domain §3 #26)', until: '0.0' },
  { name: 'dma_map_page', kind: 'dma-map-page', page: 1, dir: 4, len: 3, source: DMA },
  { name: 'dma_map_page_attrs', kind: 'dma-map-page', page: 1, dir: 4, len: 3, source: DMA },
  // handing a streaming mapping back to the device: the handle a dma-map-page row returned stands
  // for the page (the interpreter's value of the call), and the sync maintains the linear alias
  // only, as the mapping did (dma-api.rst v6.18.2 "dma_sync_single_for_device"; dma-direct's
  // arch_sync_dma_for_device() works on the physical address)
  { name: 'dma_sync_single_for_device', kind: 'dma-map-page', page: 1, dir: 3, len: 2, handBack: true, source: DMA },
  { name: 'dma_sync_single_range_for_device', kind: 'dma-map-page', page: 1, dir: 4, handBack: true, source: DMA },
  { name: 'virt_to_page', kind: 'linear', ptr: 0, vmallocReplacement: 'vmalloc_to_page', asPage: { kind: 'same' }, source: 'arch/*/include/asm/memory.h: linear-map arithmetic' },
  { name: 'virt_to_folio', kind: 'linear', ptr: 0, vmallocReplacement: 'vmalloc_to_folio', since: '5.16', source: 'include/linux/mm.h v6.18.2' },
  { name: 'virt_to_head_page', kind: 'linear', ptr: 0, asPage: { kind: 'same' }, source: 'include/linux/mm.h v6.18.2 l.1236–1241: compound_head(virt_to_page(x)); v2.6.33.3 l.316' },
  { name: 'virt_to_pfn', kind: 'linear', ptr: 0, vmallocReplacement: 'vmalloc_to_pfn', source: 'arch/*/include/asm/memory.h' },
  { name: 'virt_to_phys', kind: 'linear', ptr: 0, source: 'arch/*/include/asm/io.h' },
  { name: '__pa', kind: 'linear', ptr: 0, source: 'arch/*/include/asm/page.h' },
  { name: 'virt_to_bus', kind: 'linear', ptr: 0, source: 'arch/*/include/asm/io.h (removed for most arches)' },
  { name: 'sg_set_buf', kind: 'linear', ptr: 1, asPage: { kind: 'sg-page', sg: 0, page: 1, len: 2 }, source: 'include/linux/scatterlist.h l.209: BUG_ON(!virt_addr_valid()) only with CONFIG_DEBUG_SG' },
  { name: 'sg_init_one', kind: 'linear', ptr: 1, asPage: { kind: 'sg-page', sg: 0, page: 1, len: 2 }, source: 'lib/scatterlist.c: sg_set_buf()' },
  { name: 'bvec_set_virt', kind: 'linear', ptr: 1, asPage: { kind: 'sg-page', sg: 0, page: 1, len: 2 }, entry: 'bio_vec', advice: 'put the buffer\'s vmalloc_to_page() pages in the bio_vec with bvec_set_page(), with flush_kernel_vmap_range()/invalidate_kernel_vmap_range() around the I/O', since: '6.3', source: 'include/linux/bvec.h v6.18.2 l.71: bvec_set_page(bv, virt_to_page(vaddr), …)' },
  { name: 'dma_map_single', kind: 'linear', ptr: 1, dir: 3, asPage: { kind: 'dma-map-page', page: 1, len: 2 }, via: DMA_SINGLE_VIA, viaOld: DMA_SINGLE_OLD, source: 'include/linux/dma-mapping.h v5.4.59 l.586–589, v6.18.2 l.498: "rejecting DMA map of vmalloc memory"; v4.19 maps virt_to_page() unchecked' },
  { name: 'dma_map_single_attrs', kind: 'linear', ptr: 1, dir: 3, asPage: { kind: 'dma-map-page', page: 1, len: 2 }, via: DMA_SINGLE_VIA, viaOld: DMA_SINGLE_OLD, source: 'include/linux/dma-mapping.h v5.4.59, v6.18.2 (as dma_map_single)' },
  // USB transfer buffers: usb_hcd_map_urb_for_dma() maps them with dma_map_single() (which rejects
  // vmalloc memory with a warning since v5.x and gave the wrong page before) unless the URB comes
  // with its own DMA address or scatterlist (URB_NO_TRANSFER_DMA_MAP: usb_alloc_noncoherent() buffers,
// vmapped, go that way); usb_control_msg_send()/_recv() copy into kmalloc memory
  { name: 'usb_bulk_msg', kind: 'linear', ptr: 2, len: 3, via: USB_VIA, viaOld: USB_OLD, advice: 'use a kmalloc() transfer buffer, or copy through one', source: USB },
  { name: 'usb_interrupt_msg', kind: 'linear', ptr: 2, len: 3, via: USB_VIA, viaOld: USB_OLD, advice: 'use a kmalloc() transfer buffer, or copy through one', source: USB },
  { name: 'usb_control_msg', kind: 'linear', ptr: 6, len: 7, via: USB_VIA, viaOld: USB_OLD, advice: 'use a kmalloc() transfer buffer, or copy through one', source: USB },
  { name: 'usb_fill_bulk_urb', kind: 'linear', ptr: 3, len: 4, via: USB_VIA, viaOld: USB_OLD, advice: 'use a kmalloc() transfer buffer, or copy through one', unlessNamed: 'URB_NO_TRANSFER_DMA_MAP', source: USB },
  { name: 'usb_fill_int_urb', kind: 'linear', ptr: 3, len: 4, via: USB_VIA, viaOld: USB_OLD, advice: 'use a kmalloc() transfer buffer, or copy through one', unlessNamed: 'URB_NO_TRANSFER_DMA_MAP', source: USB },
  { name: 'usb_fill_control_urb', kind: 'linear', ptr: 4, len: 5, via: USB_VIA, viaOld: USB_OLD, advice: 'use a kmalloc() transfer buffer, or copy through one', unlessNamed: 'URB_NO_TRANSFER_DMA_MAP', source: USB },
  // SDIO block transfers: mmc_io_rw_extended() puts the buffer in a scatterlist with
  // sg_init_one()/sg_set_buf() (drivers/mmc/core/sdio_ops.c v2.6.33 l.160, v4.19 l.164–172,
  // v6.18.2 l.161–169), reached from these sdio_io.c calls (v6.18.2 l.468–530)
  { name: 'sdio_readsb', kind: 'linear', ptr: 1, via: SDIO_VIA, advice: SDIO_ADVICE, source: SDIO },
  { name: 'sdio_writesb', kind: 'linear', ptr: 2, via: SDIO_VIA, advice: SDIO_ADVICE, source: SDIO },
  { name: 'sdio_memcpy_fromio', kind: 'linear', ptr: 1, via: SDIO_VIA, advice: SDIO_ADVICE, source: SDIO },
  { name: 'sdio_memcpy_toio', kind: 'linear', ptr: 2, via: SDIO_VIA, advice: SDIO_ADVICE, source: SDIO },
  { name: 'bio_add_virt_nofail', kind: 'linear', ptr: 1, since: '6.16', source: 'block/bio.c v6.16+: virt_to_page(), no vmalloc check' },
  { name: 'bdev_rw_virt', kind: 'linear', ptr: 2, since: '6.16', via: 'it refuses vmalloc memory (WARN_ON_ONCE(is_vmalloc_addr()) and -EIO: the I/O never happens)', advice: 'use a kmalloc() buffer, or add the vmalloc buffer to a bio with bio_add_vmalloc() (which flushes it for a write; invalidate_kernel_vmap_range() after a read) and submit_bio_wait()', source: 'block/bio.c v6.16, v6.18.2 l.1406–1414: WARN_ON_ONCE(is_vmalloc_addr) → -EIO' },
  // blk_rq_map_kern(q, rq, kbuf, len, gfp) → (rq, kbuf, len, gfp) in 6.16: the buffer is the argument before the length.
  { name: 'blk_rq_map_kern', kind: 'rq-map-kern', ptr: -3, until: '5.3', source: 'block/blk-map.c, fs/bio.c bio_map_kern: virt_to_page() before b4c5875d3617 (v5.3)' },
  { name: 'scsi_execute', kind: 'rq-map-kern', ptr: 4, until: '5.3', source: 'drivers/scsi/scsi_lib.c → blk_rq_map_kern (v5.2)' },
  { name: 'scsi_execute_req', kind: 'rq-map-kern', ptr: 3, until: '5.3', source: 'include/scsi/scsi_device.h (v5.2) → scsi_execute' },
  // NVMe's synchronous commands map their buffer with blk_rq_map_kern() (drivers/nvme/host/core.c
  // v4.19 l.722–760, v5.4.59 l.818–860); the v3.10 nvme_submit_sync_cmd(nvmeq, cmd, result,
  // timeout) took no buffer (its third argument is a u32 result pointer, never vmalloc memory)
  { name: 'nvme_submit_sync_cmd', kind: 'rq-map-kern', ptr: 2, until: '5.3', source: 'drivers/nvme/host/core.c v4.19 l.755 → __nvme_submit_sync_cmd → blk_rq_map_kern' },
  { name: '__nvme_submit_sync_cmd', kind: 'rq-map-kern', ptr: 3, until: '5.3', source: 'drivers/nvme/host/core.c v4.19 l.722–737 blk_rq_map_kern(q, req, buffer, bufflen)' },
  { name: 'bio_map_kern', kind: 'rq-map-kern', ptr: -3, until: '5.3', source: 'block/bio.c v4.19.1 bio_map_kern: bio_add_pc_page(virt_to_page(data))' },
  { name: 'bio_add_vmalloc', kind: 'vmalloc-add', bio: 0, ptr: 1, since: '6.16', source: 'block/bio.c v6.18.2 l.1085–1137 (8dd16f5e3469): flushes for writes only' },
  { name: 'bio_add_vmalloc_chunk', kind: 'vmalloc-add', bio: 0, ptr: 1, since: '6.16', source: 'block/bio.c v6.18.2 (8dd16f5e3469)' },
  { name: 'dm_io', kind: 'dm-io', ptr: 0, source: 'drivers/md/dm-io.c: DM_IO_KMEM uses virt_to_page (km_get_page, v6.18.2 l.279–293); DM_IO_VMA flushes/invalidates since bb91bc7bacb9 (v3.0)' },
];

export const SINKS: ReadonlyMap<string, SinkRow> = new Map(SINK_ROWS.filter((r) => r.until !== '0.0').map((r) => [r.name, r]));

/** dm_io memory types (struct dm_io_memory.type). `sanitizedSince`: dm-io does the maintenance itself. */
export const DM_IO_MEM_TYPES: ReadonlyMap<string, { linear: boolean; sanitizedSince?: string; source: string }> = new Map([
  ['DM_IO_KMEM', { linear: true, source: 'drivers/md/dm-io.c v6.18.2 km_get_page(): virt_to_page' }],
  ['DM_IO_VMA', { linear: false, sanitizedSince: '3.0', source: 'bb91bc7bacb9 "dm io: flush cpu cache with vmapped io" (v3.0)' }],
]);

/** Calls after which earlier asynchronous I/O of this function has completed. */
export const COMPLETION_WAITS: ReadonlySet<string> = new Set([
  'wait_for_completion', 'wait_for_completion_io', 'wait_for_completion_timeout', 'wait_for_completion_io_timeout',
  'wait_for_completion_interruptible', 'wait_for_completion_killable', 'wait_for_completion_state',
  'blk_wait_io', 'wait_event', 'wait_event_interruptible', 'wait_event_timeout', 'io_wait_event', 'dm_io_wait',
  'blk_execute_rq', 'bio_await_chain',
]);

/** Evidence: a pointer passed here is a vmalloc address on this path. */
export const EVIDENCE_PAGE_OF: ReadonlyMap<string, { ptr: number; source: string }> = new Map([
  ['vmalloc_to_page', { ptr: 0, source: 'mm/vmalloc.c: only valid for vmalloc/vmap addresses' }],
  ['vmalloc_to_pfn', { ptr: 0, source: 'mm/vmalloc.c' }],
  ['vmalloc_to_folio', { ptr: 0, source: 'include/linux/mm.h v6.18.2' }],
]);

export const VMALLOC_TESTS: ReadonlySet<string> = new Set(['is_vmalloc_addr', 'is_vmalloc_or_module_addr']);

/**
 * Tests true only for linear-map addresses: the opposite polarity of VMALLOC_TESTS. Used as a
 * guard (the bounce-buffer idiom: `if (!virt_addr_valid(buf)) buf = bounce;`), never as evidence
 * that a pointer is vmalloc memory (they are called on every kind of pointer).
 */
export const LINEAR_TESTS: ReadonlyMap<string, { source: string }> = new Map([
  ['virt_addr_valid', { source: 'arch/arm/include/asm/memory.h v6.18 l.385 (PAGE_OFFSET ≤ kaddr < high_memory), arch/arm64/include/asm/memory.h l.419, arch/x86/mm/physaddr.c __virt_addr_valid(); drivers/mtd/spi-nor/core.c l.137 bounces !virt_addr_valid() buffers' }],
]);

/**
 * Completion points of DMA mappings: the device is done once the mapping is torn down or synced for
 * the CPU (Documentation/core-api/dma-api.rst v6.18: dma_unmap_*() and dma_sync_*_for_cpu() hand
 * the buffer back to the CPU; include/linux/dmaengine.h v6.18.2 dma_sync_wait()).
 */
export const DMA_COMPLETIONS: ReadonlySet<string> = new Set([
  'dma_unmap_sg', 'dma_unmap_sg_attrs', 'dma_unmap_sgtable', 'dma_unmap_page', 'dma_unmap_page_attrs',
  'dma_unmap_single', 'dma_unmap_single_attrs',
  'dma_sync_sg_for_cpu', 'dma_sync_sgtable_for_cpu', 'dma_sync_single_for_cpu', 'dma_sync_single_range_for_cpu', 'dma_sync_wait',
  // RDMA's wrappers of the same (include/rdma/ib_verbs.h v6.18.2)
  'ib_dma_unmap_sg', 'ib_dma_unmap_sg_attrs', 'ib_dma_unmap_sgtable_attrs', 'ib_dma_unmap_page', 'ib_dma_unmap_single',
  'ib_dma_sync_single_for_cpu',
  // and of the RDMA READ/WRITE API, which unmaps its scatterlist (drivers/infiniband/core/rw.c v6.18.2 l.574)
  'rdma_rw_ctx_destroy', 'rdma_rw_ctx_destroy_signature',
  // the PCI compatibility wrappers (include/linux/pci-dma-compat.h v5.4.59, removed in v5.18)
  'pci_unmap_sg', 'pci_unmap_page', 'pci_unmap_single', 'pci_dma_sync_sg_for_cpu', 'pci_dma_sync_single_for_cpu',
]);

/**
 * Does the interpreter take a sink row for kernel `k`? An unknown kernel takes the rows that still
 * apply, and the removed interfaces whose old calls are unmistakable (not blk_rq_map_kern, whose
 * rule is about its behaviour before 5.3).
 */
export function sinkApplies(row: SinkRow, k: KVersion | undefined): boolean {
  return appliesTo(row, k) || (!k && row.until !== undefined && row.kind !== 'rq-map-kern');
}

/**
 * Frees that only take one kind of memory: vmalloc space (mm/vmalloc.c v6.18.2: vfree() and
 * vunmap() BUG/WARN on other addresses) or the page and slab allocators
 * (include/linux/slab.h, include/linux/gfp.h v6.18.2). Code that frees a pointer with one kind in
 * one branch of a condition and with the other kind in the other branch says which memory each
 * branch holds (`if (size > PAGE_SIZE) vfree(p); else put_page(virt_to_page(p));`).
 */
export const VMALLOC_ONLY_FREES: ReadonlySet<string> = new Set(['vfree', 'vfree_atomic', 'vunmap', 'vm_unmap_ram']);

/**
 * Calls that remove a vmap()/vm_map_ram() alias and keep the pages: unmapping writes the alias's
 * dirty lines back (mm/vmalloc.c v6.18.2: vunmap() → remove_vm_area() → free_unmap_vmap_area() →
 * flush_cache_vunmap(); vm_unmap_ram() → vb_free() → flush_cache_vunmap(), on arm, parisc, mips
 * and sh a flush of the range or of the whole cache), so I/O of the pages afterwards needs no
 * maintenance of an alias that no longer exists.
 */
export const VMALLOC_UNMAPS: ReadonlySet<string> = new Set(['vunmap', 'vm_unmap_ram']);
/**
 * Page and slab frees, with the argument holding the memory (kmem_cache_free(cache, obj) frees its
 * second). The interpreter takes them from this table: the memory's life ends there, and no
 * summary of mm/slub.c's or mm/page_alloc.c's definitions is needed (kfree() would otherwise make
 * every file that calls it wait for mm/slub.c in a whole-tree scan).
 */
export const LINEAR_FREES: ReadonlyMap<string, number> = new Map([
  ['kfree', 0], ['kfree_sensitive', 0], ['kzfree', 0], ['kmem_cache_free', 1], ['free_page', 0], ['free_pages', 0],
  ['__free_page', 0], ['__free_pages', 0], ['put_page', 0], ['free_pages_exact', 0], ['folio_put', 0],
]);

/**
 * Loops over a scatterlist's entries: the iterator (argument `iter`) is an entry of the table in
 * argument `table` (include/linux/scatterlist.h v2.6.33.3 for_each_sg, v6.18.2 for_each_sgtable_sg).
 */
export const SG_ITERATORS: ReadonlyMap<string, { table: number; iter: number }> = new Map([
  ['for_each_sg', { table: 0, iter: 1 }],
  ['for_each_sgtable_sg', { table: 0, iter: 1 }],
]);

/** struct sg_table's list member (include/linux/scatterlist.h v2.6.33–v6.18.2): `t->sgl` is table `t`. */
export const SG_TABLE_LIST: ReadonlySet<string> = new Set(['sgl']);

/** Calls that free a buffer: the alias ends here (a completed read need not be invalidated if never read). */
export const FREES: ReadonlySet<string> = new Set(['vfree', 'kvfree', 'vunmap', 'vm_unmap_ram', 'kvfree_sensitive', 'vfree_atomic']);

/**
 * Calls that only wrap a condition (annotations and warnings): the branch is decided by the argument.
 * include/linux/compiler.h (likely/unlikely), include/asm-generic/bug.h (WARN_ON*, WARN*) v6.18.2.
 */
export const CONDITION_WRAPPERS: ReadonlyMap<string, number> = new Map([
  ['likely', 0], ['unlikely', 0], ['WARN_ON', 0], ['WARN_ON_ONCE', 0], ['WARN', 0], ['WARN_ONCE', 0],
  ['unlikely_notrace', 0], ['likely_notrace', 0],
  // device-tagged warnings take the device first: include/drm/drm_print.h, include/linux/dev_printk.h v6.18.2
  ['drm_WARN_ON', 1], ['drm_WARN_ON_ONCE', 1], ['drm_WARN', 1], ['drm_WARN_ONCE', 1], ['dev_WARN_ONCE', 1],
]);

/** Conditions that only test a pointer for NULL/error; they say nothing about how its memory was allocated. */
export const NULL_TESTS: ReadonlySet<string> = new Set(['IS_ERR', 'IS_ERR_OR_NULL', 'ZERO_OR_NULL_PTR', 'PTR_ERR_OR_ZERO']);
