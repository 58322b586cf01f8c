"""The work report's generated paragraphs (DESIGN.md section 15) from live data as of the
period's last day: the work report's own figures, and the brief's gathering for 项目建设
(its first sentence and bonds sentence) and 存在问题 (its obstacles sentence)."""

from __future__ import annotations

from datetime import date

from tracker import narrative
from tracker.briefs.gather import gather
from tracker.briefs.models import Brief
from tracker.periods import Period
from tracker.workreport import sentences
from tracker.workreport.models import TargetKind
from tracker.workreport.queries import year_figures

# The generated paragraphs: key → (part, title as numbered in its part).
PARAGRAPHS: dict[str, tuple[int, str]] = {
    "economy": (1, "经济运行"),
    "projects": (1, "项目建设"),
    "investment": (1, "招商引资"),
    "land": (1, "载体开发"),
    "obstacles": (2, "项目建设存在梗阻"),
}


def _brief_sentences(period: Period, today: date) -> tuple[str | None, str | None, str]:
    """(项目建设, 梗阻, park name) as the brief of ``period`` would say them."""
    draft = Brief(year=period.year, month=period.month, revision=1, next_steps="", send_to="",
                  copy_to="", correction_reason="")
    data = gather(period, draft, today)
    bonds = [narrative.BondLine(b.granted, b.spent, b.expected_on) for b in data.bonds]
    projects = None
    if data.summary.count:  # a park without key projects has no 项目建设 to report
        projects = "".join(s for s in (narrative.overview_sentence(data.summary, period.month),
                                       narrative.bonds_sentence(bonds)) if s)
    categories = {c: 0 for c in data.categories}
    for i in data.issues:
        if i.standing.is_open:
            categories[i.category] = categories.get(i.category, 0) + 1
    counts = narrative.IssueCounts(open_by_category=list(categories.items()), new=0, closed=0,
                                   overdue=0)
    return projects, narrative.obstacles_sentence(counts), data.park_name


def generated(period: Period, today: date) -> tuple[dict[str, str | None], str]:
    """Each generated paragraph's text (None when it has nothing to say), and the park's name."""
    year, month = period
    f = year_figures(year, month, period.last_day)
    figures = {key: sentences.Figure(value, last) for key, (value, last) in f.values.items()}
    signed = [sentences.Signed(name, amount) for name, amount in f.signed]
    pipeline = [sentences.Intended(industry, amount) for industry, amount in f.pipeline]
    projects, obstacles, park_name = _brief_sentences(period, today)
    texts = {
        "economy": sentences.economy_sentence(month, figures),
        "projects": projects or None,
        "investment": sentences.investment_paragraph(
            month, signed, f.targets.get(TargetKind.INVESTMENT), pipeline),
        "land": sentences.land_sentence(month, sum(f.land, sentences.ZERO),
                                        f.targets.get(TargetKind.LAND), entries=len(f.land)),
        "obstacles": obstacles,
    }
    return texts, park_name
