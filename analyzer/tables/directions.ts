/**
 * Direction constants: request ops, old READ/WRITE flags and DMA directions, mapped to the direction
 * of the transfer as seen from memory (`write`: memory → device; `read`: device → memory).
 */
import { Versioned } from './common';

export interface DirectionRow extends Versioned {
  name: string;
  dir: 'read' | 'write' | 'both';
}

const BLK_TYPES = 'include/linux/blk_types.h v6.18.2 (REQ_OP_*); include/linux/fs.h v2.6.34 (READ/WRITE/READA/WRITE_SYNC…)';
const DMA_DIR = 'include/linux/dma-direction.h v6.18.2';

const rows: DirectionRow[] = [
  { name: 'REQ_OP_READ', dir: 'read', since: '4.8', source: BLK_TYPES },
  { name: 'REQ_OP_WRITE', dir: 'write', since: '4.8', source: BLK_TYPES },
  { name: 'REQ_OP_DRV_IN', dir: 'read', source: BLK_TYPES },
  { name: 'REQ_OP_DRV_OUT', dir: 'write', source: BLK_TYPES },
  { name: 'REQ_OP_ZONE_APPEND', dir: 'write', source: BLK_TYPES },
  { name: 'REQ_OP_SCSI_IN', dir: 'read', until: '5.11', source: BLK_TYPES },
  { name: 'REQ_OP_SCSI_OUT', dir: 'write', until: '5.11', source: BLK_TYPES },
  { name: 'READ', dir: 'read', source: BLK_TYPES },
  { name: 'READA', dir: 'read', source: BLK_TYPES },
  { name: 'READ_SYNC', dir: 'read', source: BLK_TYPES },
  { name: 'READ_META', dir: 'read', source: BLK_TYPES },
  { name: 'WRITE', dir: 'write', source: BLK_TYPES },
  { name: 'WRITE_SYNC', dir: 'write', source: BLK_TYPES },
  { name: 'WRITE_ODIRECT', dir: 'write', source: BLK_TYPES },
  { name: 'WRITE_FLUSH', dir: 'write', source: BLK_TYPES },
  { name: 'WRITE_FUA', dir: 'write', source: BLK_TYPES },
  { name: 'WRITE_FLUSH_FUA', dir: 'write', source: BLK_TYPES },
  { name: 'WRITE_META', dir: 'write', source: BLK_TYPES },
  { name: 'DMA_TO_DEVICE', dir: 'write', source: DMA_DIR },
  { name: 'DMA_FROM_DEVICE', dir: 'read', source: DMA_DIR },
  { name: 'DMA_BIDIRECTIONAL', dir: 'both', source: DMA_DIR },
  // the PCI compatibility names (include/linux/pci-dma-compat.h v5.4.59 l.11–14, removed in v5.18)
  { name: 'PCI_DMA_TODEVICE', dir: 'write', until: '5.18', source: 'include/linux/pci-dma-compat.h v5.4.59' },
  { name: 'PCI_DMA_FROMDEVICE', dir: 'read', until: '5.18', source: 'include/linux/pci-dma-compat.h v5.4.59' },
  { name: 'PCI_DMA_BIDIRECTIONAL', dir: 'both', until: '5.18', source: 'include/linux/pci-dma-compat.h v5.4.59' },
  // an iov_iter's direction from memory's side: ITER_DEST (== READ) is filled from the file
  { name: 'ITER_DEST', dir: 'read', since: '6.1', source: 'include/linux/uio.h v6.18.2 l.34–35 (ITER_DEST == READ)' },
  { name: 'ITER_SOURCE', dir: 'write', since: '6.1', source: 'include/linux/uio.h v6.18.2 l.34–35 (ITER_SOURCE == WRITE)' },
  { name: 'DMA_MEM_TO_DEV', dir: 'write', source: 'include/linux/dmaengine.h v6.18.2' },
  { name: 'DMA_DEV_TO_MEM', dir: 'read', source: 'include/linux/dmaengine.h v6.18.2' },
];

export const DIRECTIONS: ReadonlyMap<string, DirectionRow> = new Map(rows.map((r) => [r.name, r]));

/** Flags that are OR-ed into a request op (any upper-case REQ_* that is not an op). */
export function isRequestFlag(name: string): boolean {
  return /^REQ_[A-Z_]+$/.test(name) && !name.startsWith('REQ_OP_');
}

/** Functions that compute "is this op a write" from an op value. */
export const OP_IS_WRITE: ReadonlySet<string> = new Set(['op_is_write']);

/** Accessors that return a bio's op (`bio_op(bio)`), and the bio fields that hold it. */
export const BIO_OP_ACCESSORS: ReadonlySet<string> = new Set(['bio_op', 'bio_data_dir']);
export const BIO_OP_FIELDS: ReadonlySet<string> = new Set(['bi_opf', 'bi_rw']);

/**
 * Calls that set a bio's op: argument index of the bio and of the op.
 * bio_alloc(bdev, nr_vecs, opf, gfp) since v5.18; bio_alloc(gfp, nr_vecs) before (no op).
 */
export const BIO_OP_SETTERS: ReadonlyMap<string, { bio: number | 'result'; op: number; minArgs?: number; source: string }> = new Map([
  ['bio_alloc', { bio: 'result', op: 2, minArgs: 4, source: 'include/linux/bio.h v5.18+ (bio_alloc(bdev, nr_vecs, opf, gfp)); two-argument form before' }],
  ['bio_alloc_bioset', { bio: 'result', op: 2, minArgs: 5, source: 'block/bio.c v5.18+' }],
  ['bio_kmalloc', { bio: 'result', op: -1, source: 'include/linux/bio.h (no op)' }],
  ['bio_init', { bio: 0, op: 4, minArgs: 5, source: 'block/bio.c v5.18+ bio_init(bio, bdev, table, max_vecs, opf)' }],
  ['bio_reset', { bio: 0, op: 2, minArgs: 3, source: 'block/bio.c v5.18+ bio_reset(bio, bdev, opf)' }],
  ['bio_set_op_attrs', { bio: 0, op: 1, source: 'include/linux/blk_types.h v4.8–v5.19 bio_set_op_attrs(bio, op, flags)' }],
]);
