"""The park's milestone template (/admin/milestones), for admins: add, rename, reorder,
retire and restore. Every route checks the role on the server (403); a bad name re-renders
the page with the message next to the field (422)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.permissions import admin_required
from tracker.errors import Refused
from tracker.extensions import db
from tracker.milestones import queries, service
from tracker.milestones.models import MilestoneTemplate

bp = Blueprint("milestoneadmin", __name__, url_prefix="/admin")

ID = "int(max=2147483647)"


def _template(template_id: int) -> MilestoneTemplate:
    t = db.session.get(MilestoneTemplate, template_id)
    if t is None:
        abort(404, description="该模板节点不存在。")
    return t


def _page(errors: dict | None = None, data=None, editing: int | None = None,  # noqa: ANN001
          status: int = 200):  # noqa: ANN202
    return render_template(
        "milestones/admin.html", rows=queries.templates(include_retired=True),
        errors=errors or {}, data=data or {}, editing=editing,
    ), status


@bp.route("/milestones", methods=["GET", "POST"])
@admin_required
def templates():
    if request.method == "GET":
        return _page()
    try:
        t = service.add_template(current_user, request.form)
    except Refused as exc:
        return _page(exc.errors, request.form, status=422)
    flash(f"已增加节点“{t.name}”，各项目下次打开节点计划时即可看到。", "success")
    return redirect(url_for(".templates"))


@bp.route(f"/milestones/<{ID}:template_id>/rename", methods=["POST"])
@admin_required
def template_rename(template_id: int):
    t = _template(template_id)
    try:
        old, new = service.rename_template(current_user, t, request.form)
    except Refused as exc:
        return _page(exc.errors, request.form, editing=t.id, status=422)
    if old != new:
        flash(f"已将“{old}”更名为“{new}”。", "success")
    return redirect(url_for(".templates"))


@bp.route(f"/milestones/<{ID}:template_id>/move", methods=["POST"])
@admin_required
def template_move(template_id: int):
    t = _template(template_id)
    service.move_template(current_user, t, request.form.get("direction", ""))
    return redirect(url_for(".templates") + f"#t-{t.id}")


@bp.route(f"/milestones/<{ID}:template_id>/retire", methods=["POST"])
@admin_required
def template_retire(template_id: int):
    t = _template(template_id)
    retired = request.form.get("retired") == "1"
    if service.set_retired(current_user, t, retired):
        flash(f"已{'停用' if retired else '恢复'}节点“{t.name}”。", "success")
    return redirect(url_for(".templates"))
