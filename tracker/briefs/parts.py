"""A large brief cut into parts that WeasyPrint renders separately (and in parallel).

WeasyPrint keeps every page's boxes until it writes the PDF, so one long document costs
time on one core and memory that grows with the park (2 GB for 2,000 projects). Cut at
the document's natural boundaries (its sections, and the long tables in chunks of rows,
each chunk repeating the table's head), each part starts on a new page and is a
document of its own; the PDFs are joined and the page numbers laid over afterwards.

A part is the snapshot with its lists sliced (``view``) and the pieces it shows. The
template asks ``part.has(piece)``, ``part.opens(piece)`` (the piece's first chunk: its
heading) and ``part.closes(piece)`` (its last chunk: what follows the table). A group
(a level of the project table, a category of the issue table) cut between two parts
shows its header row only where it starts (``continued`` on the rest), as on a page
break in the single document.

Pure: plain dicts and lists in, plain values out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

# Pieces in document order; the sliceable ones name the snapshot list they slice.
PIECES = ("head", "milestones", "charts", "progress", "ranking", "lagging", "issues", "tail")
SLICED = {"milestones": "milestones_overdue", "charts": "charts",
          "progress": "progress_groups", "lagging": "lagging", "issues": "issue_groups"}

# Relative cost of a unit of each piece (one issue-table row = 1), from WeasyPrint's CPU
# time and memory on the 200- and 2,000-project briefs: a project row has 10 cells, a
# lagging row holds long texts and its issue lines, a chart is mostly SVG text.
PROGRESS_ROW = 1.5
CHART = 30.0
LAGGING_ROW = 2.0
LAGGING_ISSUE_LINE = 1.0
FIXED = {"head": 40.0, "ranking": 20.0, "tail": 20.0}
ROWS_OF = {"ranking": "units", "tail": "bonds"}  # their short tables, a unit a row

# Budget of one part, in those units (about 2.5 s of CPU and its memory): it bounds what
# one process holds at a time; parts are then evened out under it.
PART_UNITS = 300.0


@dataclass
class Part:
    """One document of a large brief: ``view`` is the snapshot it renders."""

    view: dict
    spans: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # start, stop, total

    def has(self, piece: str) -> bool:
        return piece in self.spans

    def opens(self, piece: str) -> bool:
        return piece in self.spans and self.spans[piece][0] == 0

    def closes(self, piece: str) -> bool:
        return piece in self.spans and self.spans[piece][1] == self.spans[piece][2]


def _grouped_rows(groups: list[dict]) -> list[tuple[int, int]]:
    """(group index, row index) of every row of grouped tables, in order."""
    return [(g, r) for g, group in enumerate(groups) for r in range(len(group["rows"]))]


def _unit_costs(snapshot: dict, piece: str) -> list[float]:
    """The cost of each unit (row, chart) of a sliceable piece."""
    if piece == "milestones":
        return [1.0] * len(snapshot.get("milestones_overdue") or [])
    if piece == "charts":
        return [CHART] * len(snapshot.get("charts") or [])
    if piece == "progress":
        return [PROGRESS_ROW] * len(_grouped_rows(snapshot.get("progress_groups") or []))
    if piece == "lagging":
        return [LAGGING_ROW + LAGGING_ISSUE_LINE * len(r["issues"])
                for r in snapshot.get("lagging") or []]
    return [1.0] * len(_grouped_rows(snapshot.get("issue_groups") or []))


def _whole_cost(snapshot: dict, piece: str) -> float:
    """The cost of a piece that is not cut: its text and its short table."""
    rows = ROWS_OF.get(piece)
    return FIXED[piece] + (len(snapshot.get(rows) or []) if rows else 0)


def cost(snapshot: dict) -> float:
    """The brief's estimated rendering cost, in issue-table rows."""
    return sum(_whole_cost(snapshot, p) if p in FIXED else sum(_unit_costs(snapshot, p))
               for p in PIECES)


def _slice_groups(groups: list[dict], start: int, stop: int) -> list[dict]:
    """Groups holding rows start..stop-1 (counted over all groups), those rows only."""
    out, seen = [], 0
    for group in groups:
        rows = group["rows"]
        lo, hi = max(start - seen, 0), min(stop - seen, len(rows))
        if lo < hi:
            out.append(dict(group, rows=rows[lo:hi], continued=lo > 0))
        seen += len(rows)
    return out


def _view(snapshot: dict, spans: dict[str, tuple[int, int, int]]) -> dict:
    view = dict(snapshot)
    for piece, key in SLICED.items():
        start, stop, _ = spans.get(piece, (0, 0, 0))
        rows = snapshot.get(key) or []  # a revision frozen before the list existed has none
        if piece in ("progress", "issues"):
            view[key] = _slice_groups(rows, start, stop)
        else:
            view[key] = rows[start:stop]
    return view


def plan(snapshot: dict, part_units: float = PART_UNITS) -> list[Part]:
    """The parts of a brief, in order: the head alone (it sets the title and the text in
    the serif faces: a part's PDF takes ~50 MB per face it embeds, so the head is rendered
    before the others start), then at least two parts of even cost, none above
    ``part_units`` unless a single row or chart is (a row never splits)."""
    left = cost(snapshot) - FIXED["head"]
    count = max(2, ceil(left / part_units))
    count += count % 2  # two processes: an even number of parts keeps both busy to the end
    parts: list[dict[str, tuple[int, int, int]]] = [{"head": (0, 1, 1)}, {}]
    filled = 0.0

    def full(unit: float) -> bool:
        """Whether the part being filled has no room for a unit (taken when half fits);
        its share is what is left over the parts still to fill, so none comes out short."""
        return filled > 0 and filled + unit / 2 > left / (count - len(parts) + 2)

    def take(unit: float) -> None:
        nonlocal filled, left
        if full(unit) and len(parts) < count + 1:
            left -= filled
            parts.append({})
            filled = 0.0
        filled += unit

    for piece in PIECES[1:]:
        if piece not in SLICED:
            take(_whole_cost(snapshot, piece))
            parts[-1][piece] = (0, 1, 1)
            continue
        costs = _unit_costs(snapshot, piece)
        if not costs:  # an empty table still shows its heading, its 无 line or its note
            if piece != "charts":
                parts[-1][piece] = (0, 0, 0)
            continue
        for i, unit in enumerate(costs):
            take(unit)
            start = parts[-1].get(piece, (i, i, 0))[0]
            parts[-1][piece] = (start, i + 1, len(costs))
    return [Part(view=_view(snapshot, spans), spans=spans) for spans in parts if spans]
