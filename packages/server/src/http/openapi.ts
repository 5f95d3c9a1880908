import { z } from 'zod'
import * as objects from '../schemas/objects.js'
import * as requests from '../schemas/requests.js'
import { VERSION } from '../version.js'
import type { DocumentedRoute } from './route.js'

/** An OpenAPI 3.1 document (the parts this server writes). */
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  paths: Record<string, Record<string, unknown>>
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
}

// Names of the shared schemas in `components.schemas`; anything else is written inline.
const requestNames: [z.ZodType, string][] = [
  [requests.preflightRequestSchema, 'PreflightRequest'],
  [requests.recordRequestSchema, 'RecordRequest'],
  [requests.customerUpdateSchema, 'CustomerUpdate'],
  [requests.grantRequestSchema, 'GrantRequest'],
  [requests.keyCreateSchema, 'KeyCreate'],
  [requests.projectUpdateSchema, 'ProjectUpdate'],
  [requests.registerRequestSchema, 'RegisterRequest'],
  [requests.webhookCreateSchema, 'WebhookCreate'],
  [requests.emptyBodySchema, 'EmptyBody'],
]

const responseNames: [z.ZodType, string][] = [
  [objects.errorSchema, 'Error'],
  [objects.balanceSchema, 'Balance'],
  [objects.customerSchema, 'Customer'],
  [objects.reservationSchema, 'Reservation'],
  [objects.eventSchema, 'Event'],
  [objects.decisionSchema, 'Decision'],
  [objects.grantSchema, 'Grant'],
  [objects.apiKeySchema, 'ApiKey'],
  [objects.createdApiKeySchema, 'CreatedApiKey'],
  [objects.projectSchema, 'Project'],
  [objects.preflightResponseSchema, 'PreflightResponse'],
  [objects.recordResponseSchema, 'RecordResponse'],
  [objects.usageResponseSchema, 'UsageResponse'],
  [objects.registerResponseSchema, 'RegisterResponse'],
  [objects.customerListSchema, 'CustomerList'],
  [objects.eventListSchema, 'EventList'],
  [objects.decisionListSchema, 'DecisionList'],
  [objects.apiKeyListSchema, 'ApiKeyList'],
  [objects.webhookEndpointSchema, 'WebhookEndpoint'],
  [objects.createdWebhookEndpointSchema, 'CreatedWebhookEndpoint'],
  [objects.webhookEndpointListSchema, 'WebhookEndpointList'],
  [objects.webhookEventSchema, 'WebhookEvent'],
  [objects.webhookDeliverySchema, 'WebhookDelivery'],
  [objects.webhookDeliveryListSchema, 'WebhookDeliveryList'],
  [objects.healthSchema, 'Health'],
]

const uri = (id: string) => `#/components/schemas/${id}`

function componentsOf(names: [z.ZodType, string][], io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>()
  for (const [schema, id] of names) registry.add(schema, { id })
  const { schemas } = z.toJSONSchema(registry, { io, uri, unrepresentable: 'any' })
  const cleaned: Record<string, unknown> = {}
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>
    cleaned[id] = rest
  }
  return { registry, cleaned }
}

function jsonSchemaOf(
  schema: z.ZodType,
  names: Map<z.ZodType, string>,
  io: 'input' | 'output',
): unknown {
  const name = names.get(schema)
  if (name !== undefined) return { $ref: uri(name) }
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' })
  return rest
}

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): unknown[] {
  if (schema === undefined) return []
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>
    required?: string[]
  }
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property
    return {
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    }
  })
}

/**
 * Builds the OpenAPI 3.1 document from the route table: the same zod schemas that validate
 * each request describe it here, so the document cannot drift from the code.
 */
export function buildOpenApiDocument(routes: readonly DocumentedRoute[]): OpenApiDocument {
  const requestComponents = componentsOf(requestNames, 'input')
  const responseComponents = componentsOf(responseNames, 'output')
  const requestMap = new Map(requestNames)
  const responseMap = new Map(responseNames)
  const paths: OpenApiDocument['paths'] = {}
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tags: [route.tag],
      security: route.auth === 'public' ? [] : [{ bearerAuth: [] }],
      'x-agentbill-scope': route.auth,
    }
    const parameters = [
      ...parametersOf(route.params, 'path'),
      ...parametersOf(route.query, 'query'),
    ]
    if (route.idempotencyHeader === true) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Same as the body field idempotency_key (which wins; both must then be equal).',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      })
    }
    if (parameters.length > 0) operation.parameters = parameters
    if (route.body !== undefined) {
      operation.requestBody = {
        required: route.body !== requests.emptyBodySchema,
        content: { 'application/json': { schema: jsonSchemaOf(route.body, requestMap, 'input') } },
      }
    }
    const responses: Record<string, unknown> = {}
    for (const response of route.responses) {
      const key = String(response.status)
      if (responses[key] !== undefined) continue
      const entry: Record<string, unknown> = { description: response.description }
      if (response.schema !== undefined) {
        entry.content = {
          [response.contentType ?? 'application/json']: {
            schema: jsonSchemaOf(response.schema, responseMap, 'output'),
          },
        }
      } else if (response.contentType !== undefined) {
        entry.content = { [response.contentType]: { schema: { type: 'string' } } }
      }
      responses[key] = entry
    }
    operation.responses = responses
    paths[route.path] = { ...paths[route.path], [route.method]: operation }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AgentBill API',
      version: VERSION,
      description:
        'Preflight billing for AI agents: preflight before a run (may block), record after ' +
        '(exactly once). Units are non-negative integers of at most 10^15. Every response ' +
        'carries x-request-id.',
    },
    paths,
    components: {
      schemas: { ...requestComponents.cleaned, ...responseComponents.cleaned },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'agb_… API key' },
      },
    },
  }
}
