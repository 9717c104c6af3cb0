import { AppError } from '../../errors.js';

/** Straight and typographic quotes: chat clients (and macOS) turn "…" into “…” as people type. */
const OPEN_TO_CLOSE: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '„': '“', '‘': '’', '«': '»' };

/**
 * Splits a command line into words; quoted spans are one word (`new "Acme Corp" imap imap`).
 * A quote inside a word (o'brien) is a letter, not a quote.
 */
export function tokenize(text: string): string[] {
  const words: string[] = [];
  const input = text.replace(/\u00a0/g, ' ').trim();
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/.test(input[i] as string)) i += 1;
    if (i >= input.length) break;
    const ch = input[i] as string;
    const close = OPEN_TO_CLOSE[ch];
    if (close) {
      const end = findClose(input, i + 1, ch, close);
      if (end < 0) throw new AppError('BAD_INPUT', `A quote (${ch}) is not closed.`, { details: { usage: 'help' } });
      words.push(input.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < input.length && !/\s/.test(input[j] as string)) j += 1;
    words.push(input.slice(i, j));
    i = j;
  }
  return words;
}

function findClose(input: string, from: number, open: string, close: string): number {
  for (let k = from; k < input.length; k += 1) {
    const c = input[k];
    if (c === close || (open === '“' && c === '"') || (open === '"' && c === '”')) return k;
  }
  return -1;
}

/** Drops the `/migrate` or `migrate` a user may type in front (Teams has no slash commands). */
export function stripPrefix(words: string[]): string[] {
  const first = words[0]?.toLowerCase();
  return first === '/migrate' || first === 'migrate' ? words.slice(1) : words;
}

/** Optimal string alignment distance: a swapped pair of letters ("sacn") counts as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}

/** The closest known word, when it is close enough to be a typo (one edit per 3 letters, max 2). */
export function suggest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const prefixed = known.filter((k) => lower.length >= 3 && k.startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  let best: { word: string; distance: number } | undefined;
  for (const k of known) {
    const distance = editDistance(lower, k);
    if (!best || distance < best.distance) best = { word: k, distance };
  }
  const allowed = Math.min(2, Math.max(1, Math.floor(lower.length / 3)));
  return best && best.distance <= allowed ? best.word : undefined;
}
