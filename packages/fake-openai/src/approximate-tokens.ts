/**
 * The fake model's own token count: about four characters a token, at least one for any text.
 * Deliberately not a real tokenizer, so tests compare what a provider reports with what the
 * adapters estimate on their own, as they would against a real provider.
 */
export function approximateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4)
}
