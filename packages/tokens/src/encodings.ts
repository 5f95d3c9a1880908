import type { EncodingName } from './model-info'

/** The part of a gpt-tokenizer encoding module this package uses. */
interface EncodingModule {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number
}

/** A loaded encoding: counts text exactly, special-token strings counted as plain text. */
export interface Encoding {
  name: EncodingName
  count(text: string): number
}

const loaded = new Map<EncodingName, Encoding>()
const loading = new Map<EncodingName, Promise<Encoding>>()
// User text that happens to contain "<|endoftext|>" is plain text to the API, not a control
// token; an empty disallowed set makes gpt-tokenizer count it as text instead of throwing.
const AS_TEXT = { disallowedSpecial: new Set<string>() }

/**
 * The encoding if it is already in memory, else `undefined` (never loads; synchronous).
 * @internal
 */
export function getLoadedEncoding(name: EncodingName): Encoding | undefined {
  return loaded.get(name)
}

/**
 * Loads an encoding once per process (about 0.5 s and 60 MB for o200k_base) with a dynamic
 * import, so importing this package costs nothing until the first exact count.
 * @internal
 */
export function loadEncoding(name: EncodingName): Promise<Encoding> {
  const ready = loaded.get(name)
  if (ready !== undefined) return Promise.resolve(ready)
  let pending = loading.get(name)
  if (pending === undefined) {
    pending = importEncoding(name).then(
      (module) => {
        const encoding: Encoding = { name, count: (text) => module.countTokens(text, AS_TEXT) }
        loaded.set(name, encoding)
        loading.delete(name)
        return encoding
      },
      (error: unknown) => {
        loading.delete(name)
        throw error
      },
    )
    loading.set(name, pending)
  }
  return pending
}

// Literal specifiers so bundlers can split each encoding into its own lazily loaded chunk.
function importEncoding(name: EncodingName): Promise<EncodingModule> {
  return name === 'o200k_base'
    ? import('gpt-tokenizer/encoding/o200k_base')
    : import('gpt-tokenizer/encoding/cl100k_base')
}
