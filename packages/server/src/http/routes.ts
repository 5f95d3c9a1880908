import {
  createGrant,
  createKey,
  decisionSummary,
  getBalance,
  getCustomer,
  getProject,
  getReservation,
  getRun,
  listCustomers,
  listDecisions,
  listEvents,
  listKeys,
  preflight,
  record,
  releaseReservation,
  revokeKey,
  updateCustomer,
  updateProject,
  usage,
} from '../ledger/ledger.js'
import {
  checkWebhookUrl,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  resendWebhookDelivery,
} from '../ledger/webhooks.js'
import {
  apiKeyListSchema,
  apiKeySchema,
  balanceSchema,
  createdApiKeySchema,
  createdWebhookEndpointSchema,
  customerListSchema,
  customerSchema,
  decisionListSchema,
  decisionSummarySchema,
  errorSchema,
  eventListSchema,
  grantSchema,
  preflightResponseSchema,
  projectSchema,
  recordResponseSchema,
  reservationSchema,
  runSchema,
  usageResponseSchema,
  webhookDeliveryListSchema,
  webhookDeliverySchema,
  webhookEndpointListSchema,
  webhookEndpointSchema,
} from '../schemas/objects.js'
import {
  customerListQuerySchema,
  customerPathSchema,
  customerUpdateSchema,
  decisionListQuerySchema,
  decisionSummaryQuerySchema,
  emptyBodySchema,
  eventListQuerySchema,
  grantRequestSchema,
  idPathSchema,
  keyCreateSchema,
  preflightRequestSchema,
  projectUpdateSchema,
  recordRequestSchema,
  runPathSchema,
  usageQuerySchema,
  webhookCreateSchema,
  webhookDeliveryListQuerySchema,
  webhookDeliveryPathSchema,
} from '../schemas/requests.js'
import { defineRoute, type Route, type RouteResponse } from './route.js'

const errors = (...statuses: number[]): RouteResponse[] =>
  statuses.map((status) => ({
    status,
    description:
      {
        400: 'Invalid request: the message names the field (`param`).',
        401: 'Missing, unknown or revoked API key.',
        403: 'The key lacks the admin scope.',
        404: 'Not found (or it belongs to another project).',
        409: 'The same idempotency key is being processed right now.',
        413: 'Body over 64 KiB.',
        415: 'Content-Type is not application/json.',
        422: 'The idempotency key was used before with other values.',
        503: 'The database is unreachable: retry after `Retry-After` seconds (keyed writes replay).',
      }[status] ?? 'Error',
    schema: errorSchema,
  }))

const writeErrors = errors(400, 401, 403, 413, 415, 503)
const readErrors = errors(400, 401, 403, 503)

/** The keyed routes of the API (runtime and management). Public ones live in `create-app.ts`. */
export const keyedRoutes: Route[] = [
  defineRoute({
    method: 'post',
    path: '/v1/preflight',
    operationId: 'preflight',
    summary: 'Decide whether a run may start (and optionally hold its estimate)',
    description:
      'Ceiling first (with run_id: the whole run), then budget. A blocked answer is a 200 with ' +
      '`approved: false`. Every decision is stored; a repeated idempotency key answers the ' +
      'first decision again and never holds twice.',
    tag: 'Runtime',
    auth: 'runtime',
    idempotencyHeader: true,
    body: preflightRequestSchema,
    responses: [
      {
        status: 200,
        description: 'The decision (approved or blocked).',
        schema: preflightResponseSchema,
      },
      ...writeErrors,
      ...errors(409, 422),
    ],
    handle: async (tx, input) => {
      const result = await preflight(tx, input.context, input.body)
      return { status: 200, body: result.body }
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/record',
    operationId: 'record',
    summary: 'Record actual usage, exactly once',
    description:
      'Never refused for lack of budget. 201 for a new event; 200 with `duplicate: true` when ' +
      'the idempotency key was seen with the same customer_id, agent_id and units; 422 when it ' +
      'was seen with other values. A reservation_id settles that reservation.',
    tag: 'Runtime',
    auth: 'runtime',
    idempotencyHeader: true,
    body: recordRequestSchema,
    responses: [
      { status: 201, description: 'Recorded.', schema: recordResponseSchema },
      { status: 200, description: 'Duplicate: the first result.', schema: recordResponseSchema },
      ...writeErrors,
      ...errors(409, 422),
    ],
    handle: async (tx, input) => {
      const result = await record(tx, input.context, input.body)
      return { status: result.replay ? 200 : 201, body: result.body }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/reservations/{id}',
    operationId: 'getReservation',
    summary: 'Get a reservation',
    tag: 'Runtime',
    auth: 'runtime',
    params: idPathSchema,
    responses: [
      { status: 200, description: 'The reservation.', schema: reservationSchema },
      ...readErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await getReservation(tx, input.context, input.params.id),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/reservations/{id}/release',
    operationId: 'releaseReservation',
    summary: 'Release an open hold',
    description: 'Releasing twice, or a settled or expired reservation, changes nothing.',
    tag: 'Runtime',
    auth: 'runtime',
    params: idPathSchema,
    body: emptyBodySchema,
    responses: [
      { status: 200, description: 'The reservation.', schema: reservationSchema },
      ...writeErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await releaseReservation(tx, input.context, input.params.id),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/customers/{customer_id}/balance',
    operationId: 'getBalance',
    summary: "A customer's balance",
    description: 'A customer not seen before is created with the free units.',
    tag: 'Runtime',
    auth: 'runtime',
    params: customerPathSchema,
    responses: [{ status: 200, description: 'The balance.', schema: balanceSchema }, ...readErrors],
    handle: async (tx, input) => ({
      status: 200,
      body: await getBalance(tx, input.context, input.params.customer_id),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/customers',
    operationId: 'listCustomers',
    summary: 'List customers (by customer_id)',
    tag: 'Customers',
    auth: 'admin',
    query: customerListQuerySchema,
    responses: [
      { status: 200, description: 'A page of customers.', schema: customerListSchema },
      ...readErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await listCustomers(tx, input.context, input.query),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/customers/{customer_id}',
    operationId: 'getCustomer',
    summary: 'Get a customer',
    tag: 'Customers',
    auth: 'admin',
    params: customerPathSchema,
    responses: [
      { status: 200, description: 'The customer.', schema: customerSchema },
      ...readErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await getCustomer(tx, input.context, input.params.customer_id),
    }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/customers/{customer_id}',
    operationId: 'updateCustomer',
    summary: "Set a customer's limit, unlimited, period or metadata",
    description: 'Creates the customer when it does not exist yet. Any other field is a 400.',
    tag: 'Customers',
    auth: 'admin',
    params: customerPathSchema,
    body: customerUpdateSchema,
    responses: [
      { status: 200, description: 'The customer.', schema: customerSchema },
      ...writeErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await updateCustomer(tx, input.context, input.params.customer_id, input.body),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/customers/{customer_id}/grants',
    operationId: 'createGrant',
    summary: 'Top up a customer',
    description:
      'With period none a grant lasts until used; with a periodic budget it adds to the ' +
      'current period only.',
    tag: 'Customers',
    auth: 'admin',
    idempotencyHeader: true,
    params: customerPathSchema,
    body: grantRequestSchema,
    responses: [
      { status: 201, description: 'Granted.', schema: grantSchema },
      { status: 200, description: 'Replay: the first grant.', schema: grantSchema },
      ...writeErrors,
      ...errors(409, 422),
    ],
    handle: async (tx, input) => {
      const result = await createGrant(tx, input.context, input.params.customer_id, input.body)
      return { status: result.replay ? 200 : 201, body: result.body }
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: 'List recorded events (newest first)',
    tag: 'Activity',
    auth: 'admin',
    query: eventListQuerySchema,
    responses: [
      { status: 200, description: 'A page of events.', schema: eventListSchema },
      ...readErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await listEvents(tx, input.context, input.query),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/decisions',
    operationId: 'listDecisions',
    summary: 'List preflight decisions (newest first)',
    tag: 'Activity',
    auth: 'admin',
    query: decisionListQuerySchema,
    responses: [
      { status: 200, description: 'A page of decisions.', schema: decisionListSchema },
      ...readErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await listDecisions(tx, input.context, input.query),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/decisions/summary',
    operationId: 'getDecisionSummary',
    summary: 'Counts of preflight decisions, grouped',
    description:
      'E.g. blocked preflights per day: `group_by=day&approved=false`. Grouped by reason, ' +
      'approved decisions have `reason: null`.',
    tag: 'Activity',
    auth: 'admin',
    query: decisionSummaryQuerySchema,
    responses: [
      { status: 200, description: 'Counts.', schema: decisionSummarySchema },
      ...readErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await decisionSummary(tx, input.context, input.query),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/runs/{run_id}',
    operationId: 'getRun',
    summary: 'A run: its ceiling and what it used and holds',
    description: 'A run is every preflight and record that carried the same run_id.',
    tag: 'Activity',
    auth: 'admin',
    params: runPathSchema,
    responses: [
      { status: 200, description: 'The run.', schema: runSchema },
      ...readErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await getRun(tx, input.context, input.params.run_id),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/usage',
    operationId: 'getUsage',
    summary: 'Sums of recorded units, grouped',
    tag: 'Activity',
    auth: 'admin',
    query: usageQuerySchema,
    responses: [{ status: 200, description: 'Sums.', schema: usageResponseSchema }, ...readErrors],
    handle: async (tx, input) => ({
      status: 200,
      body: await usage(tx, input.context, input.query),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/keys',
    operationId: 'createKey',
    summary: 'Create an API key (the secret is in this answer only)',
    tag: 'Keys',
    auth: 'admin',
    body: keyCreateSchema,
    responses: [
      { status: 201, description: 'The key, with its secret.', schema: createdApiKeySchema },
      ...writeErrors,
    ],
    handle: async (tx, input) => ({
      status: 201,
      body: await createKey(tx, input.context, input.body),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/keys',
    operationId: 'listKeys',
    summary: 'List API keys (prefix and last four only)',
    tag: 'Keys',
    auth: 'admin',
    responses: [{ status: 200, description: 'The keys.', schema: apiKeyListSchema }, ...readErrors],
    handle: async (tx, input) => ({ status: 200, body: await listKeys(tx, input.context) }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/keys/{id}',
    operationId: 'revokeKey',
    summary: 'Revoke an API key (at once)',
    tag: 'Keys',
    auth: 'admin',
    params: idPathSchema,
    responses: [
      { status: 200, description: 'The revoked key.', schema: apiKeySchema },
      ...readErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await revokeKey(tx, input.context, input.params.id),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/project',
    operationId: 'getProject',
    summary: "The key's project",
    tag: 'Project',
    auth: 'admin',
    responses: [{ status: 200, description: 'The project.', schema: projectSchema }, ...readErrors],
    handle: async (_tx, input) => ({ status: 200, body: getProject(input.context) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/project',
    operationId: 'updateProject',
    summary: 'Change project settings',
    tag: 'Project',
    auth: 'admin',
    body: projectUpdateSchema,
    responses: [
      { status: 200, description: 'The project.', schema: projectSchema },
      ...writeErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await updateProject(tx, input.context, input.body),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/webhooks',
    operationId: 'createWebhook',
    summary: 'Create a webhook endpoint (the signing secret is in this answer only)',
    description:
      'Events are POSTed to the URL as JSON, signed (AgentBill-Signature: t=<unix seconds>,' +
      'v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>), from a worker outside the ' +
      'request that caused them, retried with backoff for about a day (10 attempts) until a ' +
      '2xx. The URL must be http(s) and, unless the server allows private targets, resolve ' +
      'to public addresses only (loopback, private, link-local, CGNAT, unique-local, ' +
      'IPv4-mapped and metadata addresses are refused, now and before every attempt); ' +
      'redirects are not followed. At most 16 endpoints per project.',
    tag: 'Webhooks',
    auth: 'admin',
    body: webhookCreateSchema,
    responses: [
      {
        status: 201,
        description: 'The endpoint, with its secret.',
        schema: createdWebhookEndpointSchema,
      },
      ...writeErrors,
    ],
    prepare: (input) => checkWebhookUrl(input.body.url, input.services.webhookPolicy),
    handle: async (tx, input) => ({
      status: 201,
      body: await createWebhookEndpoint(tx, input.context, input.body),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/webhooks',
    operationId: 'listWebhooks',
    summary: 'List webhook endpoints (no secrets)',
    tag: 'Webhooks',
    auth: 'admin',
    responses: [
      { status: 200, description: 'The endpoints.', schema: webhookEndpointListSchema },
      ...readErrors,
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await listWebhookEndpoints(tx, input.context),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/webhooks/{id}',
    operationId: 'getWebhook',
    summary: 'Get a webhook endpoint',
    tag: 'Webhooks',
    auth: 'admin',
    params: idPathSchema,
    responses: [
      { status: 200, description: 'The endpoint.', schema: webhookEndpointSchema },
      ...readErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await getWebhookEndpoint(tx, input.context, input.params.id),
    }),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/webhooks/{id}',
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook endpoint (its pending deliveries are cancelled)',
    tag: 'Webhooks',
    auth: 'admin',
    params: idPathSchema,
    responses: [
      { status: 200, description: 'The deleted endpoint.', schema: webhookEndpointSchema },
      ...readErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await deleteWebhookEndpoint(tx, input.context, input.params.id),
    }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's delivery log (newest first), each with its attempts",
    tag: 'Webhooks',
    auth: 'admin',
    params: idPathSchema,
    query: webhookDeliveryListQuerySchema,
    responses: [
      { status: 200, description: 'A page of deliveries.', schema: webhookDeliveryListSchema },
      ...readErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await listWebhookDeliveries(tx, input.context, input.params.id, input.query),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/webhooks/{id}/deliveries/{delivery_id}/resend',
    operationId: 'resendWebhookDelivery',
    summary: 'Send a delivery again, now',
    description:
      'The same event (same id and body) is attempted at once. A pending delivery keeps its ' +
      'remaining retries; a succeeded or failed one gets one more attempt.',
    tag: 'Webhooks',
    auth: 'admin',
    params: webhookDeliveryPathSchema,
    body: emptyBodySchema,
    responses: [
      { status: 200, description: 'The delivery, pending.', schema: webhookDeliverySchema },
      ...writeErrors,
      ...errors(404),
    ],
    handle: async (tx, input) => ({
      status: 200,
      body: await resendWebhookDelivery(
        tx,
        input.context,
        input.params.id,
        input.params.delivery_id,
      ),
    }),
  }),
]

export { errors as errorResponses }
