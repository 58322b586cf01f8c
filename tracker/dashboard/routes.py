"""The dashboard (/): where each key project stands against time progress."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from tracker.dashboard.service import dashboard_data
from tracker.http import park_today, parse_period

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def index():
    year, month = parse_period(request.args.get("period"))
    return render_template("dashboard/index.html", d=dashboard_data(year, month, park_today()))
