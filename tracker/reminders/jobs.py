"""The daily pass as a huey periodic task: at 09:00 park time (``TIMEZONE``).

huey's crontab reads UTC, so the task wakes every hour and runs when the park's clock says
9; the notifications' unique keys keep a pass that runs twice from sending twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from huey import crontab

from tracker.jobs import huey, worker_app

HOUR = 9
log = logging.getLogger("duban.reminders")


def run_at(now: datetime) -> int | None:
    """The pass for ``now``'s park day when the park's clock says 9, else None; how many
    messages went out."""
    from tracker.reminders.service import DEFAULT_PUBLIC_URL, daily_pass

    local = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    if local.hour != HOUR:
        return None
    url = current_app.config.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL
    if not current_app.config.get("PUBLIC_URL"):
        log.warning("PUBLIC_URL is not set: links point to %s", url)
    result = daily_pass(local.date(), url)
    log.info("daily reminders of %s: %d delivered", local.date(), result.delivered)
    return result.delivered


@huey.periodic_task(crontab(minute="0"))
def daily_reminders() -> None:
    from datetime import UTC

    with worker_app().app_context():
        run_at(datetime.now(UTC))
