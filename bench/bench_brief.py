"""Brief rendering, stage by stage, for parks of 30 and 200 projects (``--sizes`` to change).

Run by hand: ``.venv/bin/python bench/bench_brief.py [--sizes 30 200 2000] [--profile]``.
Each park is made by bench/generate.py (``projects=N, issues=5*N``) in a throwaway
SQLite database, then rendered in a child process so that its peak memory is the
render's own. Prints gather (SQL + figures), HTML and PDF times (wall and CPU: the
machine is shared, CPU time is the steadier figure), pages, size and peak memory.
``--profile`` writes a pyinstrument profile of the PDF stage next to this file
(``pip install pyinstrument`` into the venv first; it is not a dependency).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import OUT, child, env_for, prepare  # noqa: E402

RENDER = """
from datetime import date
from tracker import create_app
from tracker.briefs import service
from tracker.pdf import render_pdf
year, month = {year}, {month}
with create_app().app_context():
    t0, c0 = time.perf_counter(), time.process_time()
    snapshot = service.build_snapshot(year, month, service.draft_for(year, month), date.today())
    t1 = time.perf_counter()
    html = service.render_html(snapshot)
    t2, c2 = time.perf_counter(), time.process_time()
    if {profile}:
        from pyinstrument import Profiler
        profiler = Profiler()
        profiler.start()
    pdf = render_pdf(html)
    t3, c3 = time.perf_counter(), time.process_time()
    if {profile}:
        profiler.stop()
        open({profile_path!r}, "w").write(profiler.output_text(show_all=True))
    open({pdf_path!r}, "wb").write(pdf)
    result = {{"gather": t1 - t0, "html": t2 - t1, "pdf": t3 - t2, "pdf_cpu": c3 - c2,
               "total": t3 - t0, "kb": len(pdf) / 1024, "html_kb": len(html) / 1024}}
"""


def pages(path: Path) -> str:
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return next((line.split()[1] for line in info.stdout.splitlines()
                 if line.startswith("Pages:")), "?")


def measure(projects: int, work: Path, profile: bool) -> str:
    folder = work / f"brief-{projects}"
    folder.mkdir()
    url = f"sqlite:///{folder}/db.sqlite"
    logins = prepare(url, folder, projects)
    year, month = map(int, logins["period"].split("-"))
    pdf_path = OUT / f"brief-{projects}.pdf"
    r = child(RENDER.format(year=year, month=month, profile=profile, pdf_path=str(pdf_path),
                            profile_path=str(OUT / f"brief-{projects}.profile.txt")),
              env_for(url, folder))
    return (f"| {projects} | {r['gather']:.2f} | {r['html']:.2f} | {r['pdf']:.2f} | "
            f"{r['pdf_cpu']:.2f} | {r['total']:.2f} | {pages(pdf_path)} | {r['kb']:.0f} | "
            f"{r['peak_mb']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 200])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="duban-bench-brief-"))
    print("| projects | gather s | html s | pdf s | pdf CPU s | total s | pages | KB | peak MB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in args.sizes:
        print(measure(n, work, args.profile), flush=True)
    print(f"PDFs in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
