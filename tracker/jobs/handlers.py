"""Job handlers of general use."""

from __future__ import annotations

import time

from tracker.jobs import handler


@handler("selftest")
def selftest(job, progress):  # noqa: ANN001, ANN201
    """A job that counts to ``params["steps"]``: proves a worker is running (used by tests)."""
    steps = int(job.params.get("steps", 3))
    for i in range(steps):
        progress(i, steps, f"第 {i + 1} 步")
        time.sleep(float(job.params.get("sleep", 0.05)))
    return (f"ok {steps}".encode(), "selftest.txt", "text/plain")
