/** mulberry32: a small seeded PRNG, so a failing random edit replays exactly (tests and bench:incremental). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Damage a text the way an editor in mid-keystroke or a bad preprocessor guess does: six seeded
 * cuts, stray brackets, quotes, comment openers, non-ASCII text, `#if` lines and dropped semicolons.
 */
export function damage(text: string, rnd: () => number): string {
  let t = text;
  for (let k = 0; k < 6; k++) {
    const at = Math.floor(rnd() * t.length);
    const r = rnd();
    if (r < 0.4) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 20));
    else if (r < 0.7) t = t.slice(0, at) + ['(', ')', '{', '}', ';', '"', '/*', 'é', '😀', '\n#if X\n'][Math.floor(rnd() * 10)] + t.slice(at);
    else t = t.slice(0, at) + t.slice(at).replace(/;/, '');
  }
  return t;
}
