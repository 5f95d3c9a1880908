export type { AdapterOptions, ResolvedAdapterOptions } from './adapter-options'
export { resolveAdapterOptions } from './adapter-options'
export { AgentBillAdmin } from './admin'
export type { MeterOptions, RunHandle, RunParams } from './agent-bill'
export { AgentBill } from './agent-bill'
export type { AgentBillOptions, FailMode } from './agent-bill-options'
export { DEFAULT_BASE_URL } from './agent-bill-options'
export type { AgentBillAPIErrorType } from './errors/agent-bill-api-error'
export { AgentBillAPIError } from './errors/agent-bill-api-error'
export { AgentBillConfigurationError } from './errors/agent-bill-configuration-error'
export { AgentBillConnectionError } from './errors/agent-bill-connection-error'
export { AgentBillError } from './errors/agent-bill-error'
export { AgentBillTimeoutError } from './errors/agent-bill-timeout-error'
export { AgentBillValidationError } from './errors/agent-bill-validation-error'
export { AgentBillWebhookVerificationError } from './errors/agent-bill-webhook-verification-error'
export type { AllowanceLimit } from './errors/allowance-exceeded-error'
export { AllowanceExceededError } from './errors/allowance-exceeded-error'
export { BudgetExceededError } from './errors/budget-exceeded-error'
export type { BeginCallParams, CallContext, GatedCall, GatedCallRecordOptions } from './gated-call'
export type { FlushResult } from './record-queue'
export type { RequestOptions } from './request-options'
export type { ApiKey, CreatedApiKey, KeyCreateParams, KeyScope } from './resources/api-key'
export type { Balance, BudgetPeriod } from './resources/balance'
export type { Customer, CustomerListParams, CustomerUpdateParams } from './resources/customer'
export type { Decision, DecisionListParams } from './resources/decision'
export type {
  DecisionDimension,
  DecisionSummary,
  DecisionSummaryParams,
  DecisionSummaryRow,
} from './resources/decision-summary'
export type { EventListParams, UsageEvent } from './resources/event'
export type { Grant, GrantCreateParams } from './resources/grant'
export type { ListParams, Page } from './resources/list'
export type {
  BlockReason,
  EstimateSource,
  PreflightApproved,
  PreflightBlocked,
  PreflightParams,
  PreflightResult,
} from './resources/preflight'
export type { Project, ProjectUpdateParams } from './resources/project'
export type {
  RecordAccepted,
  RecordParams,
  RecordQueued,
  RecordResult,
  ReservationSettlement,
} from './resources/record'
export type { RegisterParams, Registration } from './resources/register'
export { register } from './resources/register'
export type { Reservation, ReservationStatus } from './resources/reservation'
export type { Run } from './resources/run'
export type { UsageDimension, UsageParams, UsageRow, UsageSummary } from './resources/usage'
export type {
  CreatedWebhookEndpoint,
  WebhookAttempt,
  WebhookCreateParams,
  WebhookDelivery,
  WebhookDeliveryListParams,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookSubscription,
} from './resources/webhook-endpoint'
export type { RunScope } from './run-scope'
export { canScopeRuns, currentRun } from './run-scope'
export { VERSION } from './version'
export type { WebhookEvent, WebhookEventType } from './webhooks/webhook-event'
export type { VerifyWebhookOptions } from './webhooks/webhook-signature'
export { signWebhook, verifyWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhooks/webhook-signature'
