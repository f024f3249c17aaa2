/**
 * Without the base file, a modified file is known only through its hunks. We rebuild analysable C
 * from them: the post-image (context + added lines) or the pre-image (context + removed lines) of
 * each hunk, separated by blank lines, and wrapped in a function when the hunk starts inside one
 * (kernel style puts top-level code in column 0, so an indented first line means "inside a body").
 * The wrapper uses the hunk's section header — git's function-name heuristic — so findings name the
 * real function. Consecutive hunks of one function share one wrapper, so a flow that starts in one
 * hunk and ends in the next is seen. Every fragment line remembers its real post-/pre-image line.
 */
import type { Hunk } from './model';

export interface Fragment {
  text: string;
  /** fragment line (1-based) → image line (post- or pre-image), 0 for synthetic lines. */
  imageLine: number[];
}

/** Net brace depth change and the lowest depth reached, ignoring strings, chars and comments. */
export function braceProfile(lines: string[]): { final: number; min: number } {
  let depth = 0;
  let min = 0;
  let inBlock = false;
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inBlock) {
        if (c === '*' && line[i + 1] === '/') {
          inBlock = false;
          i++;
        }
        continue;
      }
      if (c === '/' && line[i + 1] === '*') {
        inBlock = true;
        i++;
      } else if (c === '/' && line[i + 1] === '/') break;
      else if (c === '"' || c === "'") {
        for (i++; i < line.length && line[i] !== c; i++) if (line[i] === '\\') i++;
      } else if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth < min) min = depth;
      }
    }
  }
  return { final: depth, min };
}

/** Turn a section header into a function head: `static int foo(struct bar *b,` → `static int foo(struct bar *b)`. */
export function wrapperHead(section: string): string {
  const s = section.replace(/\{\s*$/, '').trim();
  if (/^[A-Za-z_][\w\s*]*\b[A-Za-z_]\w*\s*\(/.test(s) && !/;\s*$/.test(s)) {
    let open = 0;
    for (const c of s) open += c === '(' ? 1 : c === ')' ? -1 : 0;
    return (s.replace(/,\s*$/, '') + ')'.repeat(Math.max(0, open))).trim();
  }
  return 'static void vmalias_patch_fragment(void)';
}

export type Side = 'post' | 'pre';

/** Build the post- or pre-image fragment of a file's hunks (malformed hunks are left out). */
export function buildFragment(hunks: Hunk[], side: Side): Fragment {
  const text: string[] = [];
  const imageLine: number[] = [];
  const push = (t: string, line: number): void => {
    text.push(t);
    imageLine.push(line);
  };
  let depth = 0; // open braces (real + synthetic) at the end of the previous hunk
  let prevSection: string | undefined;
  const usable = hunks.filter((h) => !h.malformed);
  for (const h of usable) {
    const keep = h.lines.filter((l) => l.kind === ' ' || l.kind === (side === 'post' ? '+' : '-'));
    const body = keep.map((l) => l.text);
    const firstCode = body.find((t) => t.trim() !== '');
    const indented = firstCode !== undefined && /^[ \t]/.test(firstCode);
    const continues = depth > 0 && (h.section === prevSection || indented);
    if (!continues) {
      while (depth > 0) {
        push('}', 0);
        depth--;
      }
    } else {
      push('', 0);
    }
    const prof = braceProfile(body);
    // Opens needed so the depth never goes negative, and so an indented start is inside a body.
    let opens = Math.max(0, -(depth + prof.min));
    if (indented && depth + opens === 0) opens = 1;
    if (opens > 0) {
      if (text.length > 0 && !continues) push('', 0);
      push(`${wrapperHead(h.section)} {`, 0);
      for (let k = 1; k < opens; k++) push('{', 0);
    } else if (text.length > 0 && !continues) {
      push('', 0);
    }
    for (const l of keep) push(l.text, (side === 'post' ? l.newLine : l.oldLine) ?? 0);
    depth = depth + opens + prof.final;
    prevSection = h.section;
  }
  while (depth > 0) {
    push('}', 0);
    depth--;
  }
  return { text: text.length ? text.join('\n') + '\n' : '', imageLine: [0, ...imageLine] };
}
