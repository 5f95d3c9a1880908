import { ApiError } from '../errors/api-error.js'
import type { ApiKeyRow, ProjectRow, StoreTransaction } from '../store/store.js'

/** What a dashboard session token starts with (an API key starts with `agb_`). */
export const SESSION_TOKEN_PREFIX = 'agbs_'

/**
 * Finds who a bearer token speaks for: an API key, or a dashboard session (which acts with the
 * admin key that signed in). A revoked key, an expired or signed-out session, or a session
 * whose key was revoked is refused at once: nothing caches credentials.
 *
 * @param tokenHash SHA-256 of `token`, hex (hashed by the caller, outside the transaction).
 * @throws {ApiError} 401 `authentication_failed`.
 */
export async function authenticate(
  tx: StoreTransaction,
  token: string,
  tokenHash: string,
  now: number,
): Promise<{ key: ApiKeyRow; project: ProjectRow }> {
  if (token.startsWith(SESSION_TOKEN_PREFIX)) {
    const found = await tx.findSessionByHash(tokenHash)
    if (found === undefined || found.session.expiresAt <= now || found.key.revokedAt !== null) {
      throw new ApiError('authentication_failed', 'Unknown, expired or signed-out session')
    }
    return { key: found.key, project: found.project }
  }
  const found = await tx.findApiKeyByHash(tokenHash)
  if (found === undefined || found.key.revokedAt !== null) {
    throw new ApiError('authentication_failed', 'Unknown or revoked API key')
  }
  return found
}
