/**
 * UTF-8 byte length of a string, without allocating. Every token of a byte-level BPE (OpenAI's
 * encodings, and byte-fallback tokenizers in general) covers at least one byte, so this is a
 * guaranteed upper bound on a text's token count.
 * @internal
 */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        index++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}
