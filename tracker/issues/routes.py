"""Blocking issues (督办事项): list, my work, one issue and its log, opening, the notice PDF.

Every route needs a sign-in; everyone reads. Opening an issue needs a supervisor or admin;
what one may do on an issue is decided by ``queries.capacities_of`` (checked here and again
in ``service.move``). htmx requests get the fragment of the same template a normal request
gets the whole page of.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tracker.auth.models import Unit
from tracker.auth.permissions import supervisor_required
from tracker.cache import fragment, request_arguments
from tracker.cache.page import cached_page
from tracker.errors import Conflict, Forbidden, Refused
from tracker.extensions import db
from tracker.http import is_htmx, park_today
from tracker.issues import queries, service
from tracker.issues.forms import ActionForm, IssueForm
from tracker.issues.models import Category, IssueState, SupervisionLevel
from tracker.issues.workflow import Action, MoveRefused
from tracker.projects.models import Project

bp = Blueprint("issues", __name__)

EXPORT_HEADERS = (
    "问题编号", "项目编号", "项目名称", "问题类别", "标题", "问题描述", "责任单位", "责任人",
    "督办等级", "提出日期", "办结时限", "状态", "办结日期", "逾期天数",
)


@bp.app_template_global()
def issue_days_overdue(issue) -> int:  # noqa: ANN001
    """Days overdue today (0 when not overdue), for any template showing an issue."""
    return queries.days_overdue_now(issue, park_today())


def _filters() -> queries.Filters:
    try:
        return queries.parse_filters(request.args)
    except Refused as exc:
        abort(400, description="筛选条件有误：" + "；".join(exc.errors.values()))


@bp.route("/issues")
@login_required
@cached_page
def index():
    day, filters = park_today(), _filters()

    def context() -> dict:
        data = queries.issue_list(filters, day)
        units, projects = queries.filter_choices()
        return dict(
            data=data, f=data.filters, day=day, units=units, projects=projects,
            categories=list(Category), states=list(IssueState), levels=list(SupervisionLevel),
            sorts=queries.SORTS, dues=queries.DUE_CHOICES,
        )

    # Cached per (query string, role, data version, day): overdue days change at midnight.
    key, scope = request_arguments(), current_user.role.value
    if is_htmx():
        return fragment("issues-list", key, "issues/_list.html", context, scope=scope, today=day)
    body = fragment("issues", key, "issues/_page.html", context, scope=scope, today=day)
    return render_template("issues/index.html", body=body)


@bp.route("/issues.xlsx")
@login_required
def export():
    from tracker.xlsx import download

    day = park_today()
    rows = [
        (
            i.number, i.project.code if i.project else "", i.project.name if i.project else "园区层面",
            i.category, i.display_title, i.description,
            i.responsible_unit.name if i.responsible_unit else "", i.responsible_person,
            i.level, i.raised_on, i.deadline, i.state, i.closed_on,
            queries.days_overdue_now(i, day) or None,
        )
        for i in queries.all_filtered(_filters(), day)
    ]
    return download(f"督办事项-{day.isoformat()}.xlsx", "督办事项", EXPORT_HEADERS, rows)


@bp.route("/issues/mine")
@login_required
def mine():
    day = park_today()
    return render_template(
        "issues/mine.html", issues=queries.mine(current_user, day), day=day
    )


def _issue_form(form: IssueForm) -> IssueForm:
    projects = db.session.scalars(
        select(Project).where(Project.archived_on.is_(None)).order_by(Project.code)
    )
    form.project.choices = [SelectChoice("", "（园区层面，不属于具体项目）")] + [
        SelectChoice(p.code, f"{p.code} {p.name}") for p in projects
    ]
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name))
    form.unit.choices = [SelectChoice("", "请选择")] + [SelectChoice(str(u.id), u.name) for u in units]
    return form


PREFILLED = ("project", "category", "title", "description", "unit", "person")


def _prefill(form: IssueForm, args) -> None:  # noqa: ANN001
    """Fields named in the address start filled in (the dashboard's 转为督办问题 link); the
    supervisor still checks them and submits."""
    for name in PREFILLED:
        value = (args.get(name) or "").strip()
        if value:
            getattr(form, name).data = value[:4000]


@bp.route("/issues/new", methods=["GET", "POST"])
@supervisor_required
def new():
    day = park_today()
    form = _issue_form(IssueForm(today=day))
    status = 200
    if request.method == "GET":
        _prefill(form, request.args)
    if form.validate_on_submit():
        project = (
            db.session.scalar(select(Project).where(Project.code == form.project.data))
            if form.project.data else None
        )
        unit = db.session.get(Unit, int(form.unit.data))
        try:
            issue = service.create_issue(
                current_user, project=project, category=Category(form.category.data),
                title=form.title.data or "", description=form.description.data,
                responsible_unit=unit, responsible_person=form.person.data,
                level=SupervisionLevel(form.level.data), deadline=form.deadline.data,
                raised_on=day,
            )
            db.session.commit()
        except Refused as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                getattr(form, name, form.description).errors.append(message)
            status = 422
        else:
            flash(f"已交办督办事项 {issue.number}。", "success")
            return redirect(url_for("issues.detail", number=issue.number))
    elif request.method == "POST":
        status = 400 if form.csrf_token.errors else 422
    return render_template("issues/new.html", form=form), status


def _load(number: str):  # noqa: ANN202
    issue = queries.get_issue(number)
    if issue is None:
        abort(404, description=f"督办事项 {number} 不存在。")
    return issue


def _panel(issue, *, form: ActionForm | None = None, error: str | None = None,  # noqa: ANN001
           conflict: Conflict | None = None, done: str | None = None, status: int = 200):
    """The issue panel (fragment to htmx, whole page otherwise)."""
    context = dict(
        issue=issue, day=park_today(), actions=queries.allowed_actions(current_user, issue),
        failed=form, error=error, conflict=conflict, done=done, Action=Action,
        overdue=queries.days_overdue_now(issue, park_today()),
        previous=queries.previous_state(issue),
    )
    template = "issues/_issue.html" if is_htmx() else "issues/detail.html"
    return render_template(template, **context), status


@bp.route("/issues/<number>")
@login_required
def detail(number: str):
    return _panel(_load(number))


@bp.route("/issues/<number>/act", methods=["POST"])
@login_required
def act(number: str):
    issue = _load(number)
    if not queries.capacities_of(current_user, issue):
        abort(403)
    form = ActionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _panel(issue, form=form, status=422)
    seen = form.version.data
    try:
        service.move(
            current_user, issue, form.action.data, comment=form.comment.data, version=seen,
            effective_on=park_today(), new_deadline=form.new_deadline.data,
            uploads=[(f.filename, f.read()) for f in request.files.getlist("evidence")
                     if f and f.filename],
        )
        service.commit_move(issue, seen)
    except Forbidden:
        db.session.rollback()
        abort(403)
    except MoveRefused as exc:
        db.session.rollback()
        return _panel(_load(number), form=form, error=str(exc), status=422)
    except Refused as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            getattr(form, name, form.comment).errors.append(message)
        return _panel(_load(number), form=form, status=422)
    except Conflict as exc:
        db.session.rollback()
        return _panel(_load(number), form=form, conflict=exc, status=409)
    label = Action(form.action.data).label
    if is_htmx():
        db.session.expire_all()
        return _panel(_load(number), done=label)
    flash(f"{issue.number}：已{label}。", "success")
    return redirect(url_for("issues.detail", number=number))


@bp.route("/issues/<number>/notice.pdf")
@login_required
def notice(number: str):
    """督办通知单: one A4 page. To stay on one page whatever the data, the description is cut
    at 240 characters and the log shows its latest 6 entries, each cut at 50 characters
    (the notice says so and points to the system for the rest)."""
    from tracker.pdf import render_pdf

    issue = _load(number)
    html = render_template("issues/notice.html", issue=issue, day=park_today(),
                           overdue=queries.days_overdue_now(issue, park_today()))
    return Response(
        render_pdf(html), mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{issue.number}.pdf"'},
    )
