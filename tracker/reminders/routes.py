"""The supervisors' 催报 button (POST /remind/<period>): the leads of the 未报送 list are
reminded at once, one lead or all, at most once a day each; the page says who was reached
through which channel."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from tracker.auth.permissions import supervisor_required
from tracker.errors import Refused
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import park_today
from tracker.notify.events import link_base
from tracker.periods import Period
from tracker.reminders.service import remind_now, report_rate

bp = Blueprint("reminders", __name__)


@bp.route("/remind/<period:period>", methods=["POST"])
@supervisor_required
def remind(period: Period):
    lead = request.form.get("lead", "all")
    lead_id = None if lead == "all" else whole_number(lead)
    back = redirect(url_for("dashboard.index", period=str(period)) + "#not-submitted")
    if lead != "all" and lead_id is None:
        flash("请选择要催报的负责人。", "error")
        return back
    try:
        outcomes = remind_now(current_user, period, lead_id, park_today(), link_base())
    except Refused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    reached = [f"{o.who}（{'、'.join(o.new)}）" for o in outcomes if o.new]
    already = [o.who for o in outcomes if not o.new]
    if reached:
        flash("已催报：" + "；".join(reached) + "。", "success")
    if already:
        flash("今天已催报过，未重复发送：" + "、".join(already) + "。", "info")
    current_app.logger.info("催报 %s by %s: %d reached", period, current_user.login, len(reached))
    return back


@bp.app_context_processor
def report_rate_helper() -> dict:
    """The dashboard's 未报送 card asks for the month's 报送率 and its late leads."""

    def report_rate_of(year: int, month: int):  # noqa: ANN202
        return report_rate(Period(year, month), park_today(), current_app.config["TIMEZONE"])

    return {"report_rate_of": report_rate_of}
