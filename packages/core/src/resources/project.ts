import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { checkKnownKeys, checkOptionalIntegerInRange, checkOptionalUnits } from '../validate'

/** The project's settings. */
export interface Project {
  /** `prj_…` */
  id: string
  name: string
  /** Units every new customer gets for free. */
  freeUnits: number
  /** Shown on blocked answers; `{customer_id}` is replaced by the customer's id. */
  upgradeUrl: string | null
  /** How long a hold lasts when a preflight gives no `ttlSeconds`. */
  defaultTtlSeconds: number
  createdAt: string
}

/** Changes to the project's settings. */
export interface ProjectUpdateParams {
  name?: string
  freeUnits?: number
  /** An http(s) URL, or `null` to remove it. */
  upgradeUrl?: string | null
  /** 1–86400 seconds. */
  defaultTtlSeconds?: number
}

/** A project as the server sends it. */
export interface ProjectWire {
  id: string
  name: string
  free_units: number
  upgrade_url: string | null
  default_ttl_seconds: number
  created_at: string
}

/** Maps a wire project. */
export function toProject(wire: ProjectWire): Project {
  return {
    id: wire.id,
    name: wire.name,
    freeUnits: wire.free_units,
    upgradeUrl: wire.upgrade_url ?? null,
    defaultTtlSeconds: wire.default_ttl_seconds,
    createdAt: wire.created_at,
  }
}

/** Checks an update and builds the wire body. */
export function projectUpdateBody(params: ProjectUpdateParams): Record<string, unknown> {
  checkKnownKeys(params, ['name', 'freeUnits', 'upgradeUrl', 'defaultTtlSeconds'], 'project.update')
  const body: Record<string, unknown> = {}
  if (params.name !== undefined) {
    if (typeof params.name !== 'string' || params.name.length < 1 || params.name.length > 200) {
      throw new AgentBillValidationError('name', 'must be a string of 1 to 200 characters')
    }
    body.name = params.name
  }
  const freeUnits = checkOptionalUnits('freeUnits', params.freeUnits)
  if (freeUnits !== undefined) body.free_units = freeUnits
  if (params.upgradeUrl !== undefined) {
    if (params.upgradeUrl !== null && typeof params.upgradeUrl !== 'string') {
      throw new AgentBillValidationError('upgradeUrl', 'must be a URL string or null')
    }
    body.upgrade_url = params.upgradeUrl
  }
  const ttl = checkOptionalIntegerInRange('defaultTtlSeconds', params.defaultTtlSeconds, 1, 86_400)
  if (ttl !== undefined) body.default_ttl_seconds = ttl
  if (Object.keys(body).length === 0) {
    throw new AgentBillValidationError(
      'params',
      'give at least one of name, freeUnits, upgradeUrl, defaultTtlSeconds',
    )
  }
  return body
}
