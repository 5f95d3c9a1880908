import { hashApiKey } from '../api-key.js'
import type { Store } from '../store/store.js'
import { createSessionToken } from './session-cookie.js'

/** Why a key could not sign in. */
export type SignInRefusal = 'unknown_key' | 'not_admin'

/**
 * Signs in with an admin key: stores a new session (its token's hash, the key it acts with,
 * its expiry) and returns the token for the browser's cookie. The session is dashboard state,
 * not billing data, so it is the one thing the dashboard keeps in the store itself; it lives
 * in the store (not in process memory) so any server instance behind a load balancer knows
 * it. Expired sessions are cleared here, a few at a time.
 */
export async function createSession(
  store: Store,
  apiKey: string,
  now: number,
  ttlSeconds: number,
): Promise<{ token: string } | { refused: SignInRefusal }> {
  const keyHash = hashApiKey(apiKey)
  const token = createSessionToken()
  const tokenHash = hashApiKey(token)
  return store.transaction(async (tx) => {
    await tx.deleteExpiredSessions(now, 100)
    const found = await tx.findApiKeyByHash(keyHash)
    if (found === undefined || found.key.revokedAt !== null) return { refused: 'unknown_key' }
    if (found.key.scope !== 'admin') return { refused: 'not_admin' }
    await tx.insertSession({
      tokenHash,
      projectId: found.project.id,
      keyId: found.key.id,
      createdAt: now,
      expiresAt: now + ttlSeconds * 1000,
    })
    return { token }
  })
}

/** Signs out: the session is deleted, so its token stops working everywhere at once. */
export async function deleteSession(store: Store, token: string): Promise<void> {
  const tokenHash = hashApiKey(token)
  await store.transaction((tx) => tx.deleteSession(tokenHash))
}

/** The id of the key a session acts with (to mark it in the key list). */
export async function sessionKeyId(store: Store, token: string): Promise<string | undefined> {
  const tokenHash = hashApiKey(token)
  const found = await store.transaction((tx) => tx.findSessionByHash(tokenHash))
  return found?.session.keyId
}
