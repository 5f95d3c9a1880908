import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { checkKnownKeys, checkOptionalChoice } from '../validate'

/** What a key may do: `runtime` (preflight, record, reservations, balance) or `admin` (everything). */
export type KeyScope = 'runtime' | 'admin'

/** An API key as listed: never the secret, only its prefix and last four characters. */
export interface ApiKey {
  /** `key_…` */
  id: string
  name: string
  scope: KeyScope
  /** The key's first characters (`agb_AbCd`). */
  prefix: string
  /** The key's last four characters. */
  last4: string
  createdAt: string
  /** When it was revoked; `null` while it works. */
  revokedAt: string | null
}

/** A new key: the only time the full secret is shown. */
export interface CreatedApiKey extends ApiKey {
  /** The full secret (`agb_…`). Store it now: it is never shown again. */
  key: string
}

/** Arguments of `bill.admin.keys.create`. */
export interface KeyCreateParams {
  /** A name to recognise the key by (1–200 characters). */
  name: string
  /**
   * @default 'runtime'
   */
  scope?: KeyScope
}

/** A key as the server sends it. */
export interface ApiKeyWire {
  id: string
  name: string
  scope: KeyScope
  prefix: string
  last4: string
  created_at: string
  revoked_at: string | null
  key?: string
}

/** Maps a listed wire key. */
export function toApiKey(wire: ApiKeyWire): ApiKey {
  return {
    id: wire.id,
    name: wire.name,
    scope: wire.scope,
    prefix: wire.prefix,
    last4: wire.last4,
    createdAt: wire.created_at,
    revokedAt: wire.revoked_at ?? null,
  }
}

/** Maps a newly created wire key, secret included. */
export function toCreatedApiKey(wire: ApiKeyWire): CreatedApiKey {
  if (wire.key === undefined) throw new TypeError('The server did not return the new key')
  return { ...toApiKey(wire), key: wire.key }
}

/** Checks the arguments and builds the wire body. */
export function keyCreateBody(params: KeyCreateParams): Record<string, unknown> {
  checkKnownKeys(params, ['name', 'scope'], 'keys.create')
  if (typeof params.name !== 'string' || params.name.length < 1 || params.name.length > 200) {
    throw new AgentBillValidationError('name', 'must be a string of 1 to 200 characters')
  }
  return {
    name: params.name,
    scope: checkOptionalChoice('scope', params.scope, ['runtime', 'admin'] as const) ?? 'runtime',
  }
}
