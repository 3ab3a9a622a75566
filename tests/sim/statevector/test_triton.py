"""The Triton kernels checked against the torch path under Triton's interpreter, in a child process.

Triton decides at import time whether it interprets kernels, so the cases in ``triton_cases.py`` run in a fresh
interpreter with ``TRITON_INTERPRET=1`` (CPU tensors, small states).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("triton")


def test_triton_kernels_under_the_interpreter() -> None:
    cases = Path(__file__).with_name("triton_cases.py")
    env = dict(os.environ, TRITON_INTERPRET="1", SUANLI_KERNELS="")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", str(cases)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout.split("\n")[-2]
