"""The stairs of tracker/: lower packages never import higher ones, and no file grows past 500 lines."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _checker():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("check_layers", ROOT / "scripts" / "check_layers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_package_imports_a_higher_one_nor_closes_a_cycle():
    problems, _graph = _checker().check()
    assert problems == []


def test_the_checker_sees_an_upward_import_inside_a_function(tmp_path, monkeypatch):
    checker = _checker()
    package = tmp_path / "tracker"
    (package / "projects").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "projects" / "__init__.py").write_text("")
    (package / "projects" / "service.py").write_text(
        "def page():\n    from tracker.briefs import service\n    return service\n"
    )
    monkeypatch.setattr(checker, "ROOT", tmp_path)
    monkeypatch.setattr(checker, "PACKAGE", package)
    problems, graph = checker.check()
    assert graph["tracker.projects"] == {"tracker.briefs"}
    assert len(problems) == 1 and "tracker.projects" in problems[0] and "briefs" in problems[0]


def test_no_source_file_of_tracker_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "tracker").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}
