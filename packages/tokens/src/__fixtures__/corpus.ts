import { readFileSync } from 'node:fs'

function fixture(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
}

/** Deterministic pseudo-random generator (mulberry32), so "random" fixtures never change. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

/** Random text drawn from a mixed alphabet (ASCII, accents, CJK, emoji, whitespace runs). */
export function randomText(seed: number, length: number): string {
  const alphabet = [
    ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    ...'      \n\t.,;:!?-_()[]{}<>/\\\'"`~@#$%^&*+=|',
    ...'éèêëàâäôöûüçñßøåæœ',
    ...'预检计费漢字ひらがなカタカナ한국어',
    '😀',
    '👍🏽',
    '🇯🇵',
    '\u200d',
    '\u0301',
  ]
  const random = seededRandom(seed)
  let text = ''
  while (text.length < length) text += alphabet[Math.floor(random() * alphabet.length)]
  return text
}

const english = fixture('english.txt')
const code = fixture('code.txt')
const cjk = fixture('cjk.txt')
const emoji = fixture('emoji.txt')

/** The comparison corpus: each entry is counted by this package and by js-tiktoken. */
export const corpus: ReadonlyArray<readonly [name: string, text: string]> = [
  ['empty', ''],
  ['single space', ' '],
  ['english', english],
  ['code', code],
  ['cjk', cjk],
  ['emoji', emoji],
  ['whitespace runs', ' \n \n\n   \t\t  x  \r\n\r\n  '],
  ['digits', '1234567890'.repeat(50)],
  ['random mixed', randomText(7, 5_000)],
  // Long inputs: ~250 KB of mixed text and a ~100 KB single "word" without spaces.
  ['long mixed', [english, code, cjk, emoji].join('\n').repeat(60)],
  ['long no-space run', 'ab1'.repeat(35_000)],
  ['long random', randomText(42, 60_000)],
]
