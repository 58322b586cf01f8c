"""The work report's page (/work-report/YYYY-MM): supervisors edit the period's draft in place
and publish it; everyone reads what is published. /work-report/YYYY-MM.pdf and .docx send
the latest published revision (``?revision=N``), a supervisor's draft with ``?draft=1`` or
while nothing is published."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from tracker.auth.permissions import supervisor_required
from tracker.errors import Conflict, Refused
from tracker.forms import whole_number
from tracker.http import default_period, is_htmx, park_today, parse_period
from tracker.periods import Period
from tracker.workreport import queries
from tracker.workreport.draft import service
from tracker.workreport.draft.word import render_docx

bp = Blueprint("workreport_draft", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/work-report")
@login_required
def page_default():
    text = request.args.get("period")
    period = parse_period(text) if text else default_period()
    return redirect(url_for(".page", period=period))


def _context(period: Period, **extra) -> dict:  # noqa: ANN003
    revisions = service.published(*period)
    editing = current_user.can_supervise
    report, snapshot = None, None
    if editing:
        report = service.draft_for(*period)
        snapshot = service.build_snapshot(report, park_today())
    elif revisions:
        snapshot = revisions[-1].snapshot
    last_year_day = Period(period.year - 1, period.month).last_day
    return {"period": period, "r": snapshot, "cards": queries.card_texts(queries.cards(
                *period, period.last_day, last_year_day)), "report": report, "editing": editing,
            "report_version": report.version if report else None, "revisions": revisions,
            "today": park_today(), "text_errors": {}, "form": None, **extra}


def _page(period: Period, status: int = 200, **extra):  # noqa: ANN003, ANN202
    from tracker.workreport.forms import AREAS

    return render_template("workreport/report.html", areas=AREAS, active="report",
                           **_context(period, **extra)), status


@bp.get("/work-report/<period:period>")
@login_required
def page(period: Period):
    return _page(period)


def _paragraph_fragment(period: Period, key: str, status: int = 200, error: dict | None = None):  # noqa: ANN202
    context = _context(period)
    paragraph = next((p for part in context["r"]["parts"] for p in part["paragraphs"]
                      if p.get("key") == key), None)
    if paragraph is None:  # nothing to say any more: the block empties
        return "", status
    return render_template("workreport/_paragraph.html", p=paragraph, para_error=error,
                           **context), status


@bp.post("/work-report/<period:period>/paragraph")
@supervisor_required
def paragraph(period: Period):
    data = request.form.to_dict()
    key = data.get("key", "")
    try:
        service.save_paragraph(current_user, *period, data)
    except (Refused, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        error = {"key": key, "message": str(exc), "text": data.get("text", "")}
        if is_htmx():
            return _paragraph_fragment(period, key, status, error)
        return _page(period, status, para_error=error)
    if is_htmx():
        return _paragraph_fragment(period, key)
    flash("已恢复生成文本。" if data.get("action") == "reset" else "已保存此段。", "success")
    return redirect(url_for(".page", period=period) + f"#para-{key}")


@bp.post("/work-report/<period:period>/texts")
@supervisor_required
def texts(period: Period):
    try:
        service.save_texts(current_user, *period, request.form.to_dict())
    except Refused as exc:
        return _page(period, 422, text_errors=exc.errors, form=request.form)
    except Conflict as exc:
        return _page(period, 409, texts_error=str(exc), form=request.form)
    flash("已保存存在问题和下一步工作计划。", "success")
    return redirect(url_for(".page", period=period) + "#texts")


@bp.post("/work-report/<period:period>/publish")
@supervisor_required
def publish(period: Period):
    try:
        report = service.publish(*period, current_user, request.form.get("correction") == "1",
                                 request.form.get("reason", ""), today=park_today())
    except Refused as exc:
        return _page(period, 422, publish_error=str(exc))
    flash(f"已发布{period.year}年{period.month}月工作情况汇报第{report.revision}版。", "success")
    return redirect(url_for(".page", period=period))


def _file(period: Period, kind: str):  # noqa: ANN202
    raw = request.args.get("revision")
    revision = whole_number(raw)
    if raw is not None and (revision is None or len(raw) > 6):
        abort(400, description="版次应为正整数，例如 ?revision=1。")
    name = f"工作情况汇报-{period}"
    frozen = None if request.args.get("draft") == "1" else service.published_revision(*period, revision)
    if frozen is None and (raw or not current_user.can_supervise):
        abort(404, description=f"{period.year}年{period.month}月工作情况汇报"
                               f"{f'没有第{raw}版' if raw else '尚未发布'}。")
    if frozen is not None:
        data = frozen.pdf if kind == "pdf" else frozen.docx
        etag = frozen.sha256 if kind == "pdf" else frozen.docx_sha256
        name += f"-第{frozen.revision}版"
    else:
        snapshot = service.build_snapshot(service.draft_for(*period), park_today())
        data = service.render_report_pdf(snapshot) if kind == "pdf" else render_docx(snapshot)
        etag = None
        name += "-草稿"
    mimetype = "application/pdf" if kind == "pdf" else DOCX
    return send_file(BytesIO(data), mimetype=mimetype, download_name=f"{name}.{kind}",
                     as_attachment=kind != "pdf", etag=etag or False, max_age=0)


@bp.get("/work-report/<period:period>.pdf")
@login_required
def pdf(period: Period):
    return _file(period, "pdf")


@bp.get("/work-report/<period:period>.docx")
@login_required
def docx(period: Period):
    return _file(period, "docx")
