/** The operands of `op` at the top level of `s` (outside parentheses, brackets and braces). */
export function splitTop(s: string, op: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(op, i)) {
      out.push(s.slice(from, i));
      from = i + op.length;
      i += op.length - 1;
    }
  }
  out.push(s.slice(from));
  return out;
}
