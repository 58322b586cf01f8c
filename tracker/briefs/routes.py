"""Briefs pages: the archive (everyone), a month's draft (supervisors) or published
revisions (everyone), and the PDF downloads (DESIGN.md section 7)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker.auth.permissions import supervisor_required
from tracker.briefs import distribution, service
from tracker.briefs.check import publish_check
from tracker.briefs.jobs import runs_in_background
from tracker.briefs.word import render_docx
from tracker.errors import NotFound, Refused
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import default_period, is_htmx, park_today, parse_period
from tracker.jobs import enqueue
from tracker.jobs.routes import follow
from tracker.periods import Period
from tracker.projects.models import Project
from tracker.reports import locks
from tracker.timeutil import utcnow
from tracker.xlsx import attachment

bp = Blueprint("briefs", __name__)

ID = "int(max=2147483647)"


@bp.get("/briefs")
@login_required
def index():
    """Every published revision; supervisors also see drafts and start a new one."""
    return _index_page({})


def _index_page(errors: dict[str, str]) -> str:
    """The list, its drafts and the form to start one, its month preset to the last completed
    month (the one a brief is usually written for)."""
    today = park_today()
    return render_template(
        "briefs/index.html",
        briefs=service.archive(),
        drafts=service.drafts() if current_user.can_supervise else [],
        max_period=Period(today.year, today.month),
        default_period=default_period(),
        errors=errors,
    )


@bp.post("/briefs")
@supervisor_required
def create():
    """Start (or reopen) the draft of a month."""
    text = (request.form.get("period") or "").strip()
    if not text:
        return _index_page({"period": "请选择简报月份。"}), 422
    period = parse_period(text)
    service.draft_for(*period, create=True)
    db.session.commit()
    return redirect(url_for("briefs.month", period=period))


def _month_context(year: int, month: int, errors: dict | None = None, form: dict | None = None):
    revisions = service.published(year, month)
    ctx = {
        "year": year,
        "month": month,
        "period": Period(year, month),
        "revisions": revisions,
        "errors": errors or {},
        "form": form or {},
    }
    if current_user.can_supervise:
        draft = service.draft_for(year, month)
        ctx["draft"] = draft
        ctx["b"] = service.build_snapshot(year, month, draft, park_today())
        ctx["check"] = publish_check(Period(year, month))
        ctx["locked"] = locks.is_locked(year, month)
        ctx["locked_through"] = locks.locked_through(year)
        ctx["unlocks"] = locks.active_unlocks(year, month)
        ctx["projects"] = list(
            db.session.scalars(select(Project).where(Project.archived_on.is_(None)).order_by(Project.code))
        ) if ctx["locked_through"] and month <= ctx["locked_through"] else []
        if revisions:
            ctx["readers"] = distribution.readers()
            ctx["deliveries"] = distribution.deliveries(revisions[-1])
    elif revisions:
        ctx["b"] = revisions[-1].snapshot
    return ctx


def _month_page(year: int, month: int, status: int = 200, **kwargs):
    ctx = _month_context(year, month, **kwargs)
    if is_htmx() and current_user.can_supervise:
        return render_template("briefs/_draft.html", **ctx), status
    return render_template("briefs/month.html", **ctx), status


@bp.get("/briefs/<period:period>")
@login_required
def month(period: Period):
    """Supervisors: the draft's preview and form; everyone: the published revisions."""
    year, month_ = period
    if not current_user.can_supervise and not service.published(year, month_):
        abort(404, description=f"{year}年{month_}月的简报尚未发布。")
    return _month_page(year, month_)


@bp.post("/briefs/<period:period>")
@supervisor_required
def save(period: Period):
    """Save 六、下步工作 and 报送/抄送 of the draft."""
    year, month_ = period
    values = {k: request.form.get(k, "") for k in service.TEXT_LIMITS}
    errors = service.validate_texts(values)
    draft = service.draft_for(year, month_)
    sent_version = request.form.get("version", "")
    if draft.id is not None and sent_version and sent_version != str(draft.version):
        errors["form"] = "草稿已被他人修改，请核对下方最新内容后重新保存。"
        return _month_page(year, month_, 409, errors=errors)
    if errors:
        return _month_page(year, month_, 422, errors=errors, form=values)
    service.save_draft(year, month_, values, current_user)
    if is_htmx():
        return _month_page(year, month_)
    flash("草稿已保存。", "success")
    return redirect(url_for("briefs.month", period=Period(year, month_)))


@bp.post("/briefs/<period:period>/autosave")
@supervisor_required
def autosave(period: Period):
    """The draft's texts saved as they are typed (htmx, after a pause): answers a line of
    status and the draft's new version, out of band, so the next save does not conflict."""
    year, month_ = period
    values = {k: request.form[k] for k in service.TEXT_LIMITS if k in request.form}
    errors = service.validate_texts(values)
    draft = service.draft_for(year, month_)
    sent_version = request.form.get("version", "")
    if draft.id is not None and sent_version != str(draft.version):
        return render_template("briefs/_autosaved.html", conflict=True), 409
    if errors:
        return render_template("briefs/_autosaved.html", errors=errors), 422
    draft = service.save_draft(year, month_, values, current_user)
    return render_template("briefs/_autosaved.html", draft=draft, saved_at=utcnow())


@bp.post("/briefs/<period:period>/publish")
@supervisor_required
def publish(period: Period):
    """Publish the draft; a month already published needs an explicit correction with a reason."""
    year, month_ = period
    correction = request.form.get("correction") == "1"
    reason = request.form.get("reason", "")
    check = publish_check(period)
    if check.needs_tick and request.form.get("accept_incomplete") != "1":
        return _month_page(year, month_, 422, form={"reason": reason}, errors={
            "accept_incomplete": "仍有项目未报送、被退回或待审核；发布后这些数据将按现状锁定。"
                                 "确需发布，请勾选确认。"})
    try:
        if runs_in_background(year):
            service.check_publishable(year, month_, current_user, correction, reason)
            return follow(enqueue("brief_publish", {"year": year, "month": month_,
                                                     "correction": correction, "reason": reason,
                                                     "note": check.note}, current_user.id))
        brief = service.publish(year, month_, current_user, correction=correction, reason=reason,
                                today=park_today(), note=check.note)
    except Refused as exc:
        db.session.rollback()
        key = "reason" if correction else "publish"
        return _month_page(year, month_, 422, errors={key: str(exc)}, form={"reason": reason})
    flash(f"已发布{brief.snapshot['issue_label']}（第{brief.revision}版）。", "success")
    if is_htmx():
        return "", 204, {"HX-Redirect": url_for("briefs.month", period=Period(year, month_))}
    return redirect(url_for("briefs.month", period=Period(year, month_)))


@bp.post("/briefs/<period:period>/send")
@supervisor_required
def send(period: Period):
    """发送简报: the latest published revision to every reader with an e-mail address."""
    brief = service.published_revision(*period)
    if brief is None:
        abort(404, description=f"{period.year}年{period.month}月的简报尚未发布。")
    try:
        queued, before = distribution.send(current_user, brief, request.form.get("docx") == "1")
    except Refused as exc:
        return _month_page(*period, 422, errors={"send": str(exc)})
    flash(f"已发送给 {queued} 位读者" + (f"（另有 {before} 位此前已发送，未重复）" if before else "")
          + "；发送结果见下方记录。", "success")
    return redirect(url_for("briefs.month", period=period) + "#send")


@bp.post(f"/briefs/<period:period>/send/<{ID}:notification_id>")
@supervisor_required
def resend(period: Period, notification_id: int):
    """Send the latest revision again to the reader of one delivery."""
    brief = service.published_revision(*period)
    if brief is None:
        abort(404, description=f"{period.year}年{period.month}月的简报尚未发布。")
    try:
        n = distribution.resend(current_user, brief, notification_id)
    except NotFound as exc:
        abort(404, description=str(exc))
    except Refused as exc:
        return _month_page(*period, 422, errors={"send": str(exc)})
    flash(f"已重发给 {n.address}。", "success")
    return redirect(url_for("briefs.month", period=period) + "#send")


@bp.post("/briefs/<period:period>/unlock")
@supervisor_required
def unlock(period: Period):
    """Unlock a published month's figures (all projects or one) with a reason."""
    year, month_ = period
    raw = request.form.get("project_id", "")
    project_id = whole_number(raw)
    reason = request.form.get("unlock_reason", "")
    try:
        locks.unlock(year, month_, reason, current_user, project_id=project_id)
    except Refused as exc:
        db.session.rollback()
        return _month_page(year, month_, 422, errors={"unlock": str(exc)},
                           form={"unlock_reason": reason})
    flash(f"已解锁{year}年{month_}月的数据。", "success")
    return redirect(url_for("briefs.month", period=Period(year, month_)))


@bp.post("/briefs/<period:period>/relock")
@supervisor_required
def relock(period: Period):
    """Lock the month again (every open unlock of it)."""
    year, month_ = period
    count = locks.relock(year, month_, current_user)
    flash(f"已重新锁定{year}年{month_}月的数据（{count}项解锁结束）。", "success")
    return redirect(url_for("briefs.month", period=Period(year, month_)))


@bp.get("/briefs/<period:period>.pdf")
@login_required
def pdf(period: Period):
    """The latest published revision (``?revision=N``); a supervisor's draft with ``?draft=1``."""
    year, month_ = period
    if request.args.get("draft") == "1":
        if not current_user.can_supervise:
            abort(403)
        if runs_in_background(year):
            return follow(enqueue("brief_draft", {"year": year, "month": month_}, current_user.id))
        draft = service.draft_for(year, month_)
        data = service.render_brief_pdf(service.build_snapshot(year, month_, draft, park_today()))
        name = f"督办简报-{Period(year, month_)}-草稿.pdf"
        return _send(data, name)
    brief = _published_or_404(year, month_)
    return _send(brief.pdf, f"督办简报-{Period(year, month_)}-第{brief.revision}版.pdf",
                 etag=brief.sha256)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/briefs/<period:period>.docx")
@login_required
def docx(period: Period):
    """The brief in Word: the latest published revision (``?revision=N``), frozen with it; a
    supervisor's draft with ``?draft=1``, made from live data."""
    year, month_ = period
    if request.args.get("draft") == "1":
        if not current_user.can_supervise:
            abort(403)
        draft = service.draft_for(year, month_)
        data = render_docx(service.build_snapshot(year, month_, draft, park_today()))
        return _send(data, f"督办简报-{Period(year, month_)}-草稿.docx", mimetype=DOCX)
    brief = _published_or_404(year, month_)
    data = service.frozen_docx(brief)
    return _send(data, f"督办简报-{Period(year, month_)}-第{brief.revision}版.docx",
                 etag=brief.docx_sha256, mimetype=DOCX)


@bp.get("/briefs/<period:period>/ledger.xlsx")
@login_required
def ledger(period: Period):
    """问题台账 beside the brief: frozen with the latest published revision (``?revision=N``);
    a supervisor's draft ledger with ``?draft=1``."""
    year, month_ = period
    if request.args.get("draft") == "1":
        if not current_user.can_supervise:
            abort(403)
        snapshot = service.build_snapshot(year, month_, service.draft_for(year, month_),
                                          park_today())
        return attachment(f"问题台账-{Period(year, month_)}-草稿.xlsx", service.ledger_xlsx(snapshot))
    brief = _published_or_404(year, month_)
    if brief.ledger is None:
        abort(404, description=f"{year}年{month_}月简报第{brief.revision}版发布时尚无问题台账。")
    return attachment(f"问题台账-{Period(year, month_)}-第{brief.revision}版.xlsx", brief.ledger)


def _published_or_404(year: int, month_: int):  # noqa: ANN202
    raw = request.args.get("revision")
    revision = whole_number(raw)
    if raw is not None and (revision is None or len(raw) > 6):
        abort(400, description="版次应为正整数，例如 ?revision=1。")
    brief = service.published_revision(year, month_, revision)
    if brief is None:
        if raw:
            abort(404, description=f"{year}年{month_}月简报没有第{raw}版。")
        abort(404, description=f"{year}年{month_}月的简报尚未发布。")
    return brief


def _send(data: bytes, name: str, etag: str | None = None, mimetype: str = "application/pdf"):
    from io import BytesIO

    # A Word file is downloaded; a PDF opens in the browser.
    return send_file(BytesIO(data), mimetype=mimetype, download_name=name,
                     as_attachment=mimetype != "application/pdf", etag=etag or False, max_age=0)
