"""The wheel: built with the machine's own tooling, installed in a fresh venv, the snippet run.

PyPI is not reachable here, so the build uses the installed setuptools and wheel without build
isolation (``pip wheel --no-build-isolation --no-deps``), with the first interpreter that has
both: this one, else Debian's ``/usr/bin/python3``. The wheel is pure Python (py3-none-any), so
it installs into this interpreter's venv whichever one built it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from typing import Dict, List, Optional

from agentbill import AgentBillClient, __version__, register

from .server_process import ServerProcess
from .test_real_server import SNIPPET

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wheel_builder() -> Optional[str]:
    """The first interpreter that can build a wheel offline (setuptools >= 61 and wheel)."""
    check = (
        "import setuptools, wheel, sys; "
        "sys.exit(0 if int(setuptools.__version__.split('.')[0]) >= 61 else 1)"
    )
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if candidate is None or not os.path.exists(candidate):
            continue
        if subprocess.run([candidate, "-c", check], capture_output=True).returncode == 0:
            return candidate
    return None


def run(
    command: List[str], cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None
) -> "subprocess.CompletedProcess[str]":
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    if completed.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed


class Wheel(unittest.TestCase):
    def test_the_wheel_installs_and_the_snippet_runs_from_it(self) -> None:
        builder = wheel_builder()
        if builder is None:
            self.fail(
                "No interpreter here can build a wheel offline: install setuptools>=61 and wheel "
                "(Debian: apt-get install python3-setuptools python3-wheel)"
            )
        workspace = tempfile.mkdtemp(prefix="agentbill-wheel-")
        server = ServerProcess()
        try:
            # Build from a copy, so the checkout gets no build/ or egg-info folders.
            source = os.path.join(workspace, "source")
            os.makedirs(source)
            for name in ("pyproject.toml", "README.md"):
                shutil.copy(os.path.join(PROJECT, name), source)
            shutil.copytree(
                os.path.join(PROJECT, "src"),
                os.path.join(source, "src"),
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
            wheels = os.path.join(workspace, "wheels")
            run([builder, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", source, "-w", wheels])
            [built] = glob.glob(os.path.join(wheels, "*.whl"))
            self.assertEqual(os.path.basename(built), f"agentbill_sdk-{__version__}-py3-none-any.whl")
            with zipfile.ZipFile(built) as archive:
                names = archive.namelist()
                metadata = archive.read(f"agentbill_sdk-{__version__}.dist-info/METADATA").decode()
            self.assertIn("agentbill/py.typed", names)
            self.assertIn("agentbill/__init__.py", names)
            self.assertFalse([name for name in names if name.startswith("tests/")])
            self.assertIn("Requires-Python: >=3.9", metadata)
            self.assertNotIn("Requires-Dist", metadata, "standard library only")

            environment = os.path.join(workspace, "venv")
            run([sys.executable, "-m", "venv", environment])
            python = os.path.join(environment, "bin", "python")
            run([python, "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", built])
            location = run([python, "-c", "import agentbill; print(agentbill.__file__)"], cwd=workspace).stdout.strip()
            self.assertTrue(location.startswith(environment), location)

            server.start()
            registration = register(project_name="wheel-snippet", base_url=server.url)
            script = os.path.join(workspace, "snippet.py")
            with open(script, "w", encoding="utf-8") as file:
                file.write(SNIPPET.replace("agb_…", registration.key))
            run([python, script], cwd=workspace, env={**os.environ, "AGENTBILL_BASE_URL": server.url})
            client = AgentBillClient(api_key=registration.key, base_url=server.url, exit_flush_timeout=None)
            self.assertEqual(client.balance("user_123").used_units, 10)
        finally:
            server.close()
            shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
