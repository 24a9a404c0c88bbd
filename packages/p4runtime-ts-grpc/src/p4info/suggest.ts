/** "Did you mean" suggestions for misspelled P4 object names. */

/** Levenshtein edit distance (insert, delete, substitute all cost 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/**
 * The known names closest to `wanted`: within an edit distance of about a third of its
 * length (at least 2), or containing it / contained in it; best first, at most `limit`.
 */
export function closestNames(wanted: string, known: Iterable<string>, limit = 3): string[] {
  const lower = wanted.toLowerCase();
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(known)) {
    const candidate = name.toLowerCase();
    const lastPart = candidate.slice(candidate.lastIndexOf('.') + 1);
    // Compare with the whole name and with its last segment (users often type the short name).
    const distance = Math.min(editDistance(lower, candidate), editDistance(lower, lastPart));
    const partial = lower.length >= 3 && (candidate.includes(lower) || lower.includes(lastPart));
    if (distance <= threshold || partial)
      scored.push({ name, score: partial ? Math.min(distance, threshold) : distance });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}
