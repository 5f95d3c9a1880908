"""The package stays Python 3.9 compatible and fully typed, whatever interpreter runs the tests."""

from __future__ import annotations

import ast
import dataclasses
import glob
import inspect
import os
import pickle
import sys
import typing
import unittest

import agentbill
from agentbill import (
    AgentBillAPIError,
    AgentBillTimeoutError,
    AgentBillValidationError,
    BudgetExceededError,
    PreflightResult,
)

PACKAGE = os.path.dirname(os.path.abspath(agentbill.__file__))


class Python39(unittest.TestCase):
    def test_every_module_parses_as_python_3_9(self) -> None:
        for path in glob.glob(os.path.join(PACKAGE, "*.py")):
            with self.subTest(module=os.path.basename(path)):
                with open(path, encoding="utf-8") as file:
                    source = file.read()
                tree = ast.parse(source, filename=path, feature_version=(3, 9))
                annotated = any(
                    isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.AnnAssign))
                    for node in ast.walk(tree)
                )
                if annotated:
                    self.assertIn("from __future__ import annotations", source)

    def test_annotations_use_no_syntax_newer_than_3_9(self) -> None:
        # `X | Y` and `list[int]` inside annotations are fine for the compiler with postponed
        # annotations, but typing.get_type_hints() evaluates them, and on 3.9 `X | Y` fails.
        for name in agentbill.__all__:
            exported = getattr(agentbill, name)
            targets = [exported]
            if inspect.isclass(exported):
                targets += [member for _, member in inspect.getmembers(exported) if inspect.isfunction(member)]
            for target in targets:
                annotations = getattr(target, "__annotations__", {})
                for annotation in annotations.values():
                    if isinstance(annotation, str):
                        self.assertNotIn(" | ", annotation, f"{name}: {annotation}")

    def test_type_hints_of_every_result_resolve(self) -> None:
        for name in agentbill.__all__:
            exported = getattr(agentbill, name)
            if inspect.isclass(exported) and dataclasses.is_dataclass(exported):
                with self.subTest(result=name):
                    hints = typing.get_type_hints(exported)
                    self.assertTrue(hints)
                    self.assertTrue(exported.__dataclass_params__.frozen, f"{name} must be frozen")  # type: ignore[attr-defined]

    def test_the_package_is_marked_typed(self) -> None:
        self.assertTrue(os.path.exists(os.path.join(PACKAGE, "py.typed")))

    def test_the_version_is_written_once(self) -> None:
        with open(os.path.join(os.path.dirname(os.path.dirname(PACKAGE)), "pyproject.toml"), encoding="utf-8") as file:
            pyproject = file.read()
        self.assertIn('dynamic = ["version"]', pyproject)
        self.assertIn('version = { attr = "agentbill._version.__version__" }', pyproject)
        self.assertRegex(agentbill.__version__, r"^\d+\.\d+\.\d+")

    def test_only_the_standard_library_is_imported(self) -> None:
        standard = set(sys.stdlib_module_names) if hasattr(sys, "stdlib_module_names") else None
        if standard is None:
            self.skipTest("sys.stdlib_module_names needs Python 3.10+")
        for path in glob.glob(os.path.join(PACKAGE, "*.py")):
            with open(path, encoding="utf-8") as file:
                tree = ast.parse(file.read())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for imported in names:
                    self.assertIn(imported.split(".")[0], standard | {"__future__"}, f"{path}: {imported}")


class Errors(unittest.TestCase):
    def test_errors_pickle_with_their_fields(self) -> None:
        api = AgentBillAPIError(status=422, type="idempotency_conflict", message="other values", param="units", request_id="req_1", headers={"x-request-id": "req_1"})
        copy = pickle.loads(pickle.dumps(api))
        self.assertEqual((copy.status, copy.type, copy.param, copy.request_id, str(copy)), (422, "idempotency_conflict", "units", "req_1", str(api)))
        validation = pickle.loads(pickle.dumps(AgentBillValidationError("units", "must be an integer")))
        self.assertEqual((validation.param, str(validation)), ("units", "Invalid units: must be an integer"))
        self.assertEqual(pickle.loads(pickle.dumps(AgentBillTimeoutError(2.5))).timeout, 2.5)
        blocked = PreflightResult(
            approved=False, reason="budget_exhausted", remaining_units=3, estimated_units=10,
            estimate_source="request", reservation_id=None, expires_at=None,
            upgrade_url="https://example.com/up", preflight_id="dec_1", run_remaining_units=None,
            run_id="run_1", ceiling=None, degraded=False, idempotency_key="k",
        )
        error = pickle.loads(pickle.dumps(BudgetExceededError(blocked, customer_id="c", agent_id="a")))
        self.assertEqual((error.reason, error.remaining_units, error.upgrade_url, error.run_id, error.customer_id), ("budget_exhausted", 3, "https://example.com/up", "run_1", "c"))
        self.assertEqual(str(error), "Blocked: customer 'c' has 3 units left, 10 needed. Upgrade: https://example.com/up")

    def test_results_are_frozen(self) -> None:
        result = PreflightResult(
            approved=True, reason=None, remaining_units=None, estimated_units=1,
            estimate_source="request", reservation_id=None, expires_at=None, upgrade_url=None,
            preflight_id=None, run_remaining_units=None, run_id=None, ceiling=None,
            degraded=False, idempotency_key="k",
        )
        with self.assertRaises(dataclasses.FrozenInstanceError):
            result.approved = False  # type: ignore[misc]


if __name__ == "__main__":
    unittest.main()
