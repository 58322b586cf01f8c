"""The dashboard (/): where each key project stands against time progress."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from tracker.auth.models import Role
from tracker.cache import fragment
from tracker.cache.page import cached_page
from tracker.dashboard.service import dashboard_data
from tracker.http import park_today, parse_period
from tracker.milestones.board import board
from tracker.periods import Period
from tracker.reports.grid import my_pending
from tracker.settings import milestone_due_days
from tracker.workreport.queries import card_texts, cards

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
@cached_page
def index():
    period = parse_period(request.args.get("period"))
    # A lead's home starts with what they still owe (我的填报), theirs alone; the figures below
    # are the same for everyone of a role, so they are cached per period, version and day.
    mine = my_pending(current_user) if current_user.role is Role.MEMBER else None
    today = park_today()
    body = fragment(
        "dashboard", str(period), "dashboard/_body.html",
        lambda: {"d": dashboard_data(period.year, period.month, today),
                 "ms": board(today, milestone_due_days()),
                 "cards": card_texts(cards(period.year, period.month, period.last_day,
                                           Period(period.year - 1, period.month).last_day)),
                 "cards_label": period.label},
        scope=current_user.role.value, today=today)
    return render_template("dashboard/index.html", period=period, mine=mine, body=body)
