import { resolveAgentBillOptions } from '../agent-bill-options'
import { AgentBillValidationError } from '../errors/agent-bill-validation-error'
import { HttpClient } from '../http-client'
import type { RequestOptions } from '../request-options'
import { checkKnownKeys } from '../validate'
import { type Project, type ProjectWire, toProject } from './project'

/** Arguments of {@link register}. */
export interface RegisterParams {
  /** The new project's name (1–200 characters). */
  projectName: string
  /** A contact address for the project. */
  email?: string
  /**
   * The AgentBill server.
   * @default process.env.AGENTBILL_BASE_URL, else 'http://localhost:8787'
   */
  baseUrl?: string
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

/** A new project and its first admin key (shown this once). */
export interface Registration {
  project: Project
  /** The admin key (`agb_…`). Store it now: it is never shown again. */
  key: string
}

/**
 * Creates a project on an AgentBill server and returns its first `admin` key. Needs no key.
 * @example
 * const { key } = await register({ projectName: 'my-agents' })
 * const bill = new AgentBill({ apiKey: key })
 */
export async function register(
  params: RegisterParams,
  options?: RequestOptions,
): Promise<Registration> {
  checkKnownKeys(params, ['projectName', 'email', 'baseUrl', 'fetch'], 'register')
  if (
    typeof params.projectName !== 'string' ||
    params.projectName.length < 1 ||
    params.projectName.length > 200
  ) {
    throw new AgentBillValidationError('projectName', 'must be a string of 1 to 200 characters')
  }
  if (
    params.email !== undefined &&
    (typeof params.email !== 'string' || !params.email.includes('@'))
  ) {
    throw new AgentBillValidationError('email', 'must be an email address')
  }
  const http = new HttpClient(
    resolveAgentBillOptions(
      {
        ...(params.baseUrl === undefined ? {} : { baseUrl: params.baseUrl }),
        ...(params.fetch === undefined ? {} : { fetch: params.fetch }),
      },
      { requireApiKey: false },
    ),
  )
  const body: Record<string, unknown> = { project_name: params.projectName }
  if (params.email !== undefined) body.email = params.email
  // Registering twice makes two projects, so this is never retried automatically.
  const wire = await http.send<{ project: ProjectWire; key: string }>({
    method: 'POST',
    path: '/v1/register',
    body,
    authenticated: false,
    options: { maxRetries: 0, ...options },
  })
  return { project: toProject(wire.project), key: wire.key }
}
