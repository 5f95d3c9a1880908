"""AgentBill: preflight billing for AI agents.

Ask whether a customer has budget **before** a run (a blocked run never spends a token), and
record what it actually used **after**, exactly once, even from retried or parallel workflows::

    from agentbill import AgentBillClient

    client = AgentBillClient(api_key="agb_...")   # or AGENTBILL_API_KEY
    check = client.preflight(agent_id="researcher", customer_id="user_123",
                             estimated_units=10, ceiling=20)
    if not check.approved:
        raise Exception(f"Blocked: {check.reason}")
    client.record(agent_id="researcher", customer_id="user_123", units=10,
                  metadata={"model": "gpt-4o"})
"""

from ._admin import (
    Admin,
    Customers,
    Decisions,
    Events,
    Grants,
    Keys,
    ProjectSettings,
    Runs,
    TimeValue,
    Webhooks,
)
from ._api_key import ApiKey, CreatedApiKey, KeyScope
from ._async_client import AsyncAgentBillClient
from ._balance import Balance, BudgetPeriod
from ._client import AgentBillClient, RunContext, UnitsOf
from ._customer import Customer
from ._decision import Decision, EstimateSource
from ._decision_summary import DecisionDimension, DecisionSummary, DecisionSummaryRow
from ._errors import (
    AgentBillAPIError,
    AgentBillConfigurationError,
    AgentBillConnectionError,
    AgentBillError,
    AgentBillTimeoutError,
    AgentBillValidationError,
    AgentBillWebhookVerificationError,
    BudgetExceededError,
)
from ._grant import Grant
from ._not_given import NOT_GIVEN, NotGiven
from ._options import DEFAULT_BASE_URL, FailMode
from ._page import Page
from ._preflight import BlockReason, PreflightResult
from ._project import Project
from ._record import RecordResult, ReservationSettlement
from ._record_queue import FlushResult
from ._register import register
from ._registration import Registration
from ._reservation import Reservation, ReservationStatus
from ._run import Run, current_run
from ._run_summary import RunSummary
from ._usage import UsageDimension, UsageRow, UsageSummary
from ._usage_event import UsageEvent
from ._version import __version__
from ._webhook_delivery import WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus
from ._webhook_endpoint import CreatedWebhookEndpoint, WebhookEndpoint, WebhookSubscription
from ._webhook_event import WebhookEvent, WebhookEventType
from ._webhook_signature import (
    WEBHOOK_SIGNATURE_HEADER,
    WebhookPayload,
    sign_webhook,
    verify_webhook,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "NOT_GIVEN",
    "WEBHOOK_SIGNATURE_HEADER",
    "Admin",
    "AgentBillAPIError",
    "AgentBillClient",
    "AgentBillConfigurationError",
    "AgentBillConnectionError",
    "AgentBillError",
    "AgentBillTimeoutError",
    "AgentBillValidationError",
    "AgentBillWebhookVerificationError",
    "ApiKey",
    "AsyncAgentBillClient",
    "Balance",
    "BlockReason",
    "BudgetExceededError",
    "BudgetPeriod",
    "CreatedApiKey",
    "CreatedWebhookEndpoint",
    "Customer",
    "Customers",
    "Decision",
    "DecisionDimension",
    "DecisionSummary",
    "DecisionSummaryRow",
    "Decisions",
    "EstimateSource",
    "Events",
    "FailMode",
    "FlushResult",
    "Grant",
    "Grants",
    "KeyScope",
    "Keys",
    "NotGiven",
    "Page",
    "PreflightResult",
    "Project",
    "ProjectSettings",
    "RecordResult",
    "Registration",
    "Reservation",
    "ReservationSettlement",
    "ReservationStatus",
    "Run",
    "RunContext",
    "RunSummary",
    "Runs",
    "TimeValue",
    "UnitsOf",
    "UsageDimension",
    "UsageEvent",
    "UsageRow",
    "UsageSummary",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookDeliveryStatus",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookEventType",
    "WebhookPayload",
    "WebhookSubscription",
    "Webhooks",
    "__version__",
    "current_run",
    "register",
    "sign_webhook",
    "verify_webhook",
]
