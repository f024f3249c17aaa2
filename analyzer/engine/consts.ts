/**
 * Constant sizes: an arithmetic expression over literals, PAGE_SIZE/PAGE_SHIFT, SZ_4K-style
 * constants and object-like #defines, evaluated to a positive number, or undefined.
 */
import { PAGE_SIZE_MIN } from '../tables';

/** What PAGE_SIZE evaluates to in sizes: the smallest page of any architecture (tables PAGE_SIZE_MIN). */
export const PAGE_SIZE = PAGE_SIZE_MIN;

/** `lookup(id)`: the value text of an object-like macro (or a constant local), else undefined. */
export function evalConst(expr: string, lookup: (id: string) => string | undefined, depth = 0): number | undefined {
  if (depth > 8) return undefined;
  const subst = expr.replace(/\b[A-Za-z_]\w*\b/g, (id) => {
    if (id === 'PAGE_SIZE' || id === 'PAGE_SHIFT' || /^SZ_\d+[KM]$/.test(id)) return id;
    const d = lookup(id);
    if (d === undefined) return id;
    const v = evalConst(d, lookup, depth + 1);
    return v === undefined ? id : String(v);
  });
  const e = subst.replace(/PAGE_SIZE/g, String(PAGE_SIZE)).replace(/\bPAGE_SHIFT\b/g, String(Math.log2(PAGE_SIZE)))
    .replace(/\bSZ_(\d+)K\b/g, (_, k: string) => String(Number(k) * 1024)).replace(/\bSZ_(\d+)M\b/g, (_, k: string) => String(Number(k) << 20))
    .replace(/(\d+)U?L*\b/g, '$1');
  if (!/^[\d\s+*()<-]+$/.test(e)) return undefined;
  try {
    // only digits and arithmetic operators reach here
    const v = Function(`"use strict"; return (${e});`)() as unknown;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}
