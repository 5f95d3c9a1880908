"""Creating a project: ``register``."""

from __future__ import annotations

import re
from typing import Optional

from ._errors import AgentBillValidationError
from ._options import ClientOptions, check_timeout, resolve_base_url
from ._project import Project
from ._registration import Registration
from ._transport import HttpRequest, HttpTransport
from ._validation import check_text, describe


def register(
    *,
    project_name: str,
    email: Optional[str] = None,
    base_url: Optional[str] = None,
    timeout: float = 5.0,
) -> Registration:
    """Creates a project on an AgentBill server and returns its first ``admin`` key. Needs no key.

    Not retried automatically: registering twice makes two projects.

    Example::

        registration = register(project_name="my-agents")
        client = AgentBillClient(api_key=registration.key)

    Args:
        project_name: the new project's name (1 to 200 characters).
        email: a contact address for the project.
        base_url: the server; default: ``AGENTBILL_BASE_URL``, else ``http://localhost:8787``.
        timeout: seconds the request may take.

    Raises:
        AgentBillValidationError: for a bad argument (nothing is sent).
        AgentBillAPIError: when the server refuses (429 when registering too often).
    """
    body = {"project_name": check_text("project_name", project_name, 200)}
    if email is not None:
        if not isinstance(email, str) or re.fullmatch(r"[^@\s]+@[^@\s]+", email) is None:
            raise AgentBillValidationError(
                "email", f"must be an email address, got {describe(email)}"
            )
        body["email"] = email
    options = ClientOptions(
        api_key="",
        base_url=resolve_base_url(base_url),
        timeout=check_timeout("timeout", timeout),
        max_retries=0,
        fail_mode="closed",
        default_customer_id="default",
    )
    wire = HttpTransport(options).send(
        HttpRequest("POST", "/v1/register", body=body, authenticated=False, max_retries=0)
    )
    return Registration(project=Project.from_wire(wire["project"]), key=wire["key"])
