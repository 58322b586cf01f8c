"""The stairs of ``tracker/``: every import (module level and inside functions) goes down.

Run ``python scripts/check_layers.py`` to print the package graph and any import that
goes up or closes a cycle; it exits 1 when there is one. ``tests/unit/test_layers.py``
runs the same check.

Each module belongs to the first unit whose name is a prefix of it (longest first). A unit
may import its own modules and the units of lower tiers; units of the same tier may not
import each other. The pure core imports nothing of ``tracker`` outside the pure core.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tracker"

# Lowest first. Within a tier, units do not import each other.
TIERS: list[tuple[str, list[str]]] = [
    ("pure core: figures, periods, cells", [
        "tracker.progress", "tracker.periods", "tracker.workbook.cells", "tracker.xlsxwrite",
        "tracker.cache.lru", "tracker.pdfjoin",
    ]),
    ("pure core: sentences, charts, state machines, parsing", [
        "tracker.narrative", "tracker.charts", "tracker.issues.workflow", "tracker.workbook.parse",
        "tracker.milestones.status", "tracker.files.imaging", "tracker.files.flags",
        "tracker.files.sample",
    ]),
    ("pure core: the brief's composition, reminders due", [
        "tracker.briefs.compose", "tracker.briefs.parts", "tracker.reminders.due", "tracker.workreport.sentences",
        "tracker.workbook.wrsheets",
    ]),
    ("plumbing: time and configuration", ["tracker.timeutil", "tracker.config"]),
    ("plumbing: extensions", ["tracker.extensions"]),
    ("plumbing: the data version and the cache of figures and fragments", ["tracker.cache"]),
    ("plumbing: errors, forms, files", [
        "tracker.errors", "tracker.forms", "tracker.pdf", "tracker.xlsx", "tracker.revisions",
    ]),
    ("plumbing: settings, requests", ["tracker.settings", "tracker.http"]),
    ("plumbing: background jobs", ["tracker.jobs"]),
    ("domain: audit", ["tracker.audit"]),
    ("domain: auth", ["tracker.auth"]),
    ("domain: files", ["tracker.files"]),
    ("domain: notifications (channels, delivery)", ["tracker.notify"]),
    ("domain: projects", ["tracker.projects"]),
    ("domain: reports", ["tracker.reports"]),
    ("domain: issues", ["tracker.issues"]),
    ("domain: milestones, attachments", ["tracker.milestones", "tracker.attachments"]),
    ("domain: the work report's data", ["tracker.workreport"]),
    ("domain: briefs, workbook, dashboard, project file", [
        "tracker.briefs", "tracker.workbook", "tracker.dashboard", "tracker.projectfile",
        "tracker.reminders",
    ]),
    ("domain: the work report's drafts and files", ["tracker.workreport.draft"]),
    ("top: request wiring, administration, demo", ["tracker.web", "tracker.admin", "tracker.demo"]),
    ("top: the whole schema, commands", ["tracker.models", "tracker.cli"]),
    ("top: the app factory", ["tracker"]),
]

PURE_TIERS = 3  # the first tiers: plain Python, no Flask, no database
IMPURE = ("flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "sqlalchemy", "werkzeug")


def unit_of(module: str) -> str | None:
    """The unit a module belongs to (longest prefix), or None outside ``tracker``."""
    best = None
    for _, units in TIERS:
        for unit in units:
            inside = module == unit or module.startswith(unit + ".")
            if inside and (best is None or len(unit) > len(best)):
                best = unit
    return best


def tier_of(unit: str) -> int:
    return next(i for i, (_, units) in enumerate(TIERS) if unit in units)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def outside_imports(path: Path) -> list[tuple[int, str]]:
    """Imports of packages outside ``tracker`` (first name), nested ones too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every ``tracker`` module imported by the file: (line, module), nested imports too."""
    module = module_name(path)
    is_package = path.name == "__init__.py"
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("tracker")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([base] if base else []))
            if not base.startswith("tracker"):
                continue
            for alias in node.names:
                # ``from tracker import progress`` imports the module tracker.progress.
                candidate = f"{base}.{alias.name}"
                if (PACKAGE / Path(*candidate.split(".")[1:])).with_suffix(".py").exists() or (
                    PACKAGE / Path(*candidate.split(".")[1:]) / "__init__.py"
                ).exists():
                    found.append((node.lineno, candidate))
                else:
                    found.append((node.lineno, base))
    return found


def check() -> tuple[list[str], dict[str, set[str]]]:
    """(problems, unit graph)."""
    problems: list[str] = []
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        src_unit = unit_of(source)
        if src_unit is None:
            problems.append(f"{path.relative_to(ROOT)}: module {source} belongs to no tier")
            continue
        if tier_of(src_unit) < PURE_TIERS:
            problems += [
                f"{path.relative_to(ROOT)}:{line}: pure module {source} imports {name}"
                for line, name in outside_imports(path) if name in IMPURE
            ]
        for line, target in imports_of(path):
            dst_unit = unit_of(target)
            if dst_unit is None:
                problems.append(f"{path.relative_to(ROOT)}:{line}: {target} belongs to no tier")
                continue
            if dst_unit == src_unit:
                continue
            graph[src_unit].add(dst_unit)
            src_tier, dst_tier = tier_of(src_unit), tier_of(dst_unit)
            if dst_tier >= src_tier:
                problems.append(
                    f"{path.relative_to(ROOT)}:{line}: {src_unit} ({TIERS[src_tier][0]}) imports "
                    f"{target} ({TIERS[dst_tier][0]})"
                )
    return problems, graph


def main() -> int:
    problems, graph = check()
    for tier, (_name, units) in enumerate(TIERS):
        for unit in units:
            below = sorted(graph.get(unit, ()), key=lambda u: (tier_of(u), u))
            print(f"{tier:2} {unit:28} → {', '.join(below) or '—'}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
