import type { HttpClient } from './http-client'
import type { RequestOptions } from './request-options'
import {
  type ApiKey,
  type ApiKeyWire,
  type CreatedApiKey,
  type KeyCreateParams,
  keyCreateBody,
  toApiKey,
  toCreatedApiKey,
} from './resources/api-key'
import {
  type Customer,
  type CustomerListParams,
  type CustomerUpdateParams,
  type CustomerWire,
  customerUpdateBody,
  toCustomer,
} from './resources/customer'
import {
  type Decision,
  type DecisionListParams,
  type DecisionWire,
  toDecision,
} from './resources/decision'
import {
  type DecisionSummary,
  type DecisionSummaryParams,
  type DecisionSummaryWire,
  decisionSummaryQuery,
  toDecisionSummary,
} from './resources/decision-summary'
import {
  type EventListParams,
  filterQuery,
  toUsageEvent,
  type UsageEvent,
  type UsageEventWire,
} from './resources/event'
import {
  type Grant,
  type GrantCreateParams,
  type GrantWire,
  grantCreateBody,
  toGrant,
} from './resources/grant'
import { type ListWire, listQuery, type Page, toPage } from './resources/list'
import {
  type Project,
  type ProjectUpdateParams,
  type ProjectWire,
  projectUpdateBody,
  toProject,
} from './resources/project'
import { type Run, type RunWire, toRun } from './resources/run'
import {
  toUsageSummary,
  type UsageParams,
  type UsageSummary,
  type UsageWire,
  usageQuery,
} from './resources/usage'
import {
  type CreatedWebhookEndpoint,
  toCreatedWebhookEndpoint,
  toWebhookDelivery,
  toWebhookEndpoint,
  type WebhookCreateParams,
  type WebhookDelivery,
  type WebhookDeliveryListParams,
  type WebhookDeliveryWire,
  type WebhookEndpoint,
  type WebhookEndpointWire,
  webhookCreateBody,
  webhookDeliveryQuery,
} from './resources/webhook-endpoint'
import { checkIdentifier, checkOptionalBoolean, checkOptionalIdentifier } from './validate'

/**
 * The management API (needs an `admin` key): customers and their limits, grants, the event and
 * decision logs, usage sums, API keys, webhooks and project settings. Reached as `bill.admin`.
 */
export class AgentBillAdmin {
  readonly #http: HttpClient
  readonly #newKey: () => string

  /** @internal Made by `AgentBill`; use `bill.admin`. */
  constructor(http: HttpClient, newKey: () => string) {
    this.#http = http
    this.#newKey = newKey
  }

  /** Customers: list, read, and set budgets (`limitUnits`, `unlimited`, `period`). */
  readonly customers = {
    /** Customers by id, ascending; `search` keeps those whose id contains the text. */
    list: async (
      params: CustomerListParams = {},
      options?: RequestOptions,
    ): Promise<Page<Customer>> =>
      toPage(
        await this.#http.send<ListWire<CustomerWire>>({
          method: 'GET',
          path: '/v1/customers',
          query: {
            ...listQuery({ ...params }, ['search'], 'customers.list'),
            search: checkOptionalIdentifier('search', params.search),
          },
          options,
        }),
        toCustomer,
      ),
    /** One customer (created with the free grant when not seen before). */
    get: async (customerId: string, options?: RequestOptions): Promise<Customer> =>
      toCustomer(
        await this.#http.send<CustomerWire>({
          method: 'GET',
          path: `/v1/customers/${encodeId('customerId', customerId)}`,
          options,
        }),
      ),
    /** Sets a customer's budget; creates the customer when it does not exist yet. */
    update: async (
      customerId: string,
      params: CustomerUpdateParams,
      options?: RequestOptions,
    ): Promise<Customer> =>
      toCustomer(
        await this.#http.send<CustomerWire>({
          method: 'PATCH',
          path: `/v1/customers/${encodeId('customerId', customerId)}`,
          body: customerUpdateBody(params),
          options,
        }),
      ),
  }

  /** Grants: top-ups of a customer's budget (after a purchase, say). */
  readonly grants = {
    /** Adds units to a customer's budget. Idempotent by `idempotencyKey`. */
    create: async (
      customerId: string,
      params: GrantCreateParams,
      options?: RequestOptions,
    ): Promise<Grant> =>
      toGrant(
        await this.#http.send<GrantWire>({
          method: 'POST',
          path: `/v1/customers/${encodeId('customerId', customerId)}/grants`,
          body: grantCreateBody(params, this.#newKey()),
          options,
        }),
      ),
  }

  /** The usage event log. */
  readonly events = {
    /** Events, newest first. */
    list: async (
      params: EventListParams = {},
      options?: RequestOptions,
    ): Promise<Page<UsageEvent>> =>
      toPage(
        await this.#http.send<ListWire<UsageEventWire>>({
          method: 'GET',
          path: '/v1/events',
          query: filterQuery({ ...params }, [], 'events.list'),
          options,
        }),
        toUsageEvent,
      ),
  }

  /** Runs: what one run used and holds under its ceiling. */
  readonly runs = {
    /** One run by id; 404 for a run never seen. */
    get: async (runId: string, options?: RequestOptions): Promise<Run> =>
      toRun(
        await this.#http.send<RunWire>({
          method: 'GET',
          path: `/v1/runs/${encodeId('runId', runId)}`,
          options,
        }),
      ),
  }

  /** The preflight decision log (approved and blocked). */
  readonly decisions = {
    /** Decisions counted by day, agent, customer and/or reason (blocked per day: `{ approved: false }`). */
    summary: async (
      params: DecisionSummaryParams = {},
      options?: RequestOptions,
    ): Promise<DecisionSummary> =>
      toDecisionSummary(
        await this.#http.send<DecisionSummaryWire>({
          method: 'GET',
          path: '/v1/decisions/summary',
          query: decisionSummaryQuery(params),
          options,
        }),
      ),
    /** Decisions, newest first. */
    list: async (
      params: DecisionListParams = {},
      options?: RequestOptions,
    ): Promise<Page<Decision>> =>
      toPage(
        await this.#http.send<ListWire<DecisionWire>>({
          method: 'GET',
          path: '/v1/decisions',
          query: {
            ...filterQuery({ ...params }, ['approved'], 'decisions.list'),
            approved: checkOptionalBoolean('approved', params.approved),
          },
          options,
        }),
        toDecision,
      ),
  }

  /** Usage summed by agent, customer and/or day. */
  usage = async (params: UsageParams, options?: RequestOptions): Promise<UsageSummary> =>
    toUsageSummary(
      await this.#http.send<UsageWire>({
        method: 'GET',
        path: '/v1/usage',
        query: usageQuery(params),
        options,
      }),
    )

  /** API keys: create (the secret is shown once), list, revoke. */
  readonly keys = {
    /** Creates a key; its `key` field is the only time the secret is shown. */
    create: async (params: KeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey> =>
      toCreatedApiKey(
        await this.#http.send<ApiKeyWire>({
          method: 'POST',
          path: '/v1/keys',
          body: keyCreateBody(params),
          options: { maxRetries: 0, ...options },
        }),
      ),
    /** Every key of the project, by prefix and last four characters. */
    list: async (options?: RequestOptions): Promise<Page<ApiKey>> =>
      toPage(
        await this.#http.send<ListWire<ApiKeyWire>>({ method: 'GET', path: '/v1/keys', options }),
        toApiKey,
      ),
    /** Revokes a key: its next request fails. */
    revoke: async (keyId: string, options?: RequestOptions): Promise<ApiKey> =>
      toApiKey(
        await this.#http.send<ApiKeyWire>({
          method: 'DELETE',
          path: `/v1/keys/${encodeId('keyId', keyId)}`,
          options,
        }),
      ),
  }

  /**
   * Webhook endpoints: the server POSTs signed events (budget thresholds, blocked preflights,
   * run ceilings, expired holds, overage, grants) to them; check each with `verifyWebhook`.
   */
  readonly webhooks = {
    /** Creates an endpoint; its `secret` is the only time the signing secret is shown. */
    create: async (
      params: WebhookCreateParams,
      options?: RequestOptions,
    ): Promise<CreatedWebhookEndpoint> =>
      toCreatedWebhookEndpoint(
        await this.#http.send<WebhookEndpointWire>({
          method: 'POST',
          path: '/v1/webhooks',
          body: webhookCreateBody(params),
          // Not retried: a lost answer would leave a second endpoint (and secret) behind.
          options: { maxRetries: 0, ...options },
        }),
      ),
    /** The project's endpoints (not deleted), oldest first; never their secrets. */
    list: async (options?: RequestOptions): Promise<Page<WebhookEndpoint>> =>
      toPage(
        await this.#http.send<ListWire<WebhookEndpointWire>>({
          method: 'GET',
          path: '/v1/webhooks',
          options,
        }),
        toWebhookEndpoint,
      ),
    /** One endpoint (a deleted one too, with `deletedAt`). */
    get: async (endpointId: string, options?: RequestOptions): Promise<WebhookEndpoint> =>
      toWebhookEndpoint(
        await this.#http.send<WebhookEndpointWire>({
          method: 'GET',
          path: `/v1/webhooks/${encodeId('endpointId', endpointId)}`,
          options,
        }),
      ),
    /** Deletes an endpoint: nothing more is sent there, and its pending deliveries are cancelled. */
    delete: async (endpointId: string, options?: RequestOptions): Promise<WebhookEndpoint> =>
      toWebhookEndpoint(
        await this.#http.send<WebhookEndpointWire>({
          method: 'DELETE',
          path: `/v1/webhooks/${encodeId('endpointId', endpointId)}`,
          options,
        }),
      ),
    /** An endpoint's delivery log, newest first, each delivery with its attempts. */
    deliveries: async (
      endpointId: string,
      params: WebhookDeliveryListParams = {},
      options?: RequestOptions,
    ): Promise<Page<WebhookDelivery>> =>
      toPage(
        await this.#http.send<ListWire<WebhookDeliveryWire>>({
          method: 'GET',
          path: `/v1/webhooks/${encodeId('endpointId', endpointId)}/deliveries`,
          query: webhookDeliveryQuery(params),
          options,
        }),
        toWebhookDelivery,
      ),
    /**
     * Sends a delivery again now (the same event: same id and body). A pending delivery keeps
     * its remaining retries; a finished one gets one more attempt.
     */
    resend: async (
      endpointId: string,
      deliveryId: string,
      options?: RequestOptions,
    ): Promise<WebhookDelivery> =>
      toWebhookDelivery(
        await this.#http.send<WebhookDeliveryWire>({
          method: 'POST',
          path: `/v1/webhooks/${encodeId('endpointId', endpointId)}/deliveries/${encodeId('deliveryId', deliveryId)}/resend`,
          options,
        }),
      ),
  }

  /** The project's settings: free units per new customer, upgrade URL, hold TTL. */
  readonly project = {
    get: async (options?: RequestOptions): Promise<Project> =>
      toProject(
        await this.#http.send<ProjectWire>({ method: 'GET', path: '/v1/project', options }),
      ),
    update: async (params: ProjectUpdateParams, options?: RequestOptions): Promise<Project> =>
      toProject(
        await this.#http.send<ProjectWire>({
          method: 'PATCH',
          path: '/v1/project',
          body: projectUpdateBody(params),
          options,
        }),
      ),
  }
}

/** Checks an id that goes into a URL path and escapes it. */
export function encodeId(param: string, value: string): string {
  return encodeURIComponent(checkIdentifier(param, value))
}
