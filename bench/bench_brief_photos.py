"""The brief with and without 形象进度 thumbnails (DESIGN.md section 14: within 10 %).

Run by hand: ``.venv/bin/python bench/bench_brief_photos.py [--projects 200] [--rounds 3]``.
Makes the bench park (bench/generate.py), gives every reported row of the brief's month a
drawn site photo, then renders the draft (snapshot + PDF) with the setting 简报滞后项目附照片
off and on, alternately, and prints the best CPU time of each (the machine is shared).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import child, env_for, prepare  # noqa: E402

PHOTOS = """
from sqlalchemy import select
from tracker import create_app
from tracker.extensions import db
from tracker.files import service as files
from tracker.files.models import REPORT
from tracker.files.sample import jpeg, site_picture
from tracker.projects.models import COUNTED_STATES, MonthlyReport
with create_app().app_context():
    rows = db.session.scalars(select(MonthlyReport).where(
        MonthlyReport.year == {year}, MonthlyReport.month == {month},
        MonthlyReport.state.in_(COUNTED_STATES))).all()
    for n, row in enumerate(rows):
        files.store(user_id=None, data=jpeg(site_picture(n, (1600, 1200))), filename="p.jpg",
                    caption="", owner_kind=REPORT, owner_id=row.project_id,
                    project_id=row.project_id, year={year}, month={month}, images_only=True)
    db.session.commit()
    result = {{"photos": len(rows)}}
"""

RENDER = """
from datetime import date
from tracker import create_app
from tracker.briefs import service
from tracker.extensions import db
from tracker.settings import set_setting
with create_app().app_context():
    set_setting("brief_photos", "{on}")
    db.session.commit()
    c0 = time.process_time()
    snapshot = service.build_snapshot({year}, {month}, service.draft_for({year}, {month}), date.today())
    pdf = service.render_brief_pdf(snapshot)
    result = {{"cpu": time.process_time() - c0, "kb": len(pdf) / 1024,
               "thumbs": sum(1 for r in snapshot["lagging"] if r.get("photo"))}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="duban-bench-photos-"))
    url = f"sqlite:///{folder}/db.sqlite"
    logins = prepare(url, folder, args.projects)
    year, month = map(int, logins["period"].split("-"))
    env = env_for(url, folder)
    print("photos:", child(PHOTOS.format(year=year, month=month), env)["photos"])
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        for on in ("0", "1"):
            r = child(RENDER.format(year=year, month=month, on=on), env)
            if on not in best or r["cpu"] < best[on]["cpu"]:
                best[on] = r
    off, on = best["0"], best["1"]
    print(f"without photos: {off['cpu']:.2f} s CPU, {off['kb']:.0f} KB")
    print(f"with photos:    {on['cpu']:.2f} s CPU, {on['kb']:.0f} KB, {on['thumbs']} thumbnails")
    print(f"difference:     {100 * (on['cpu'] - off['cpu']) / off['cpu']:+.1f} %")


if __name__ == "__main__":
    main()
