/**
 * Non-static file-scope variables shared between files (`void *olog_buf;` filled with vmalloc()
 * memory in one file, declared `extern` and read into by a bio in another). Their facts travel
 * between files as member facts do, under a pseudo struct tag (`_global_.olog_buf`), and are the
 * analyzer's `global:` locations on both sides (docs/analyzer.md, "File-scope variables").
 */

/** The pseudo struct tag of a file-scope variable in member keys and `[T, member]` pairs. */
export const GLOBAL_TAG = '_global_';

/** A column-0 declaration of one variable (kernel style), without parentheses: `u8 *olog_buf __read_mostly;`. */
const FILE_SCOPE_DECL = /^(?!static\b|extern\b|typedef\b|return\b|goto\b|case\b|default\b|else\b)(?:(?:const|volatile|unsigned|signed|struct|union|enum)\s+)*[A-Za-z_]\w*[ \t*]+(?:const[ \t*]+)*([A-Za-z_]\w*)[ \t]*(?:\[[^\]\n]*\][ \t]*)?(?:__[A-Za-z_]\w*[ \t]*)*(?:=[^;(\n]*)?;/gm;

/** Variables a file declares at file scope without `static` (or `extern`): other files can name them. */
export function fileScopeGlobals(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(FILE_SCOPE_DECL)) out.add(m[1]);
  return out;
}

/**
 * Whether the file declares `name` itself, `static` or not, at file scope (it is then not another
 * file's). `own`: the file's fileScopeGlobals(), when the caller has them.
 */
export function declaresOwn(text: string, name: string, own: ReadonlySet<string> = fileScopeGlobals(text)): boolean {
  if (own.has(name)) return true;
  return new RegExp(`^static\\b[^;(\\n]*\\b${name}\\b`, 'm').test(text);
}
