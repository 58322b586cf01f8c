"""The daily pass as a huey periodic task: at 09:00 park time (``TIMEZONE``).

huey's crontab reads UTC, so the task wakes every hour and runs when the park's clock says
9; the notifications' unique keys keep a pass that runs twice from sending twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from huey import crontab

from tracker.jobs import _worker_app, huey

HOUR = 9
log = logging.getLogger("duban.reminders")


@huey.periodic_task(crontab(minute="0"))
def daily_reminders() -> None:
    with _worker_app().app_context():
        from flask import current_app

        from tracker.reminders.service import DEFAULT_PUBLIC_URL, daily_pass

        now = datetime.now(ZoneInfo(current_app.config["TIMEZONE"]))
        if now.hour != HOUR:
            return
        url = current_app.config.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL
        if not current_app.config.get("PUBLIC_URL"):
            log.warning("PUBLIC_URL is not set: links point to %s", url)
        result = daily_pass(now.date(), url)
        log.info("daily reminders of %s: %d delivered", now.date(), result.delivered)
