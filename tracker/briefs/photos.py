"""形象进度 thumbnails in the brief's 三、进度滞后项目 (DESIGN.md section 14).

Each lagging project shows the month's latest photo of its reported row, as a small JPEG put
into the snapshot itself (a data URI): a published revision keeps the pictures it used, so a
photo removed later cannot change a frozen brief. The setting ``brief_photos`` turns it off.
"""

from __future__ import annotations

import base64

from tracker.attachments.queries import latest_thumbnails
from tracker.briefs.compose import BriefData, lagging_projects
from tracker.files.imaging import mini
from tracker.settings import is_on


def add_lagging_photos(snapshot: dict, data: BriefData) -> dict:
    """Put each lagging project's thumbnail (``photo``, ``photo_caption``) in the snapshot."""
    if not is_on("brief_photos"):
        return snapshot
    lagging = lagging_projects(data.projects)  # the order of snapshot["lagging"]
    year, month = data.period
    photos = latest_thumbnails([p.id for p in lagging], year, month)
    for row, project in zip(snapshot.get("lagging", []), lagging, strict=False):
        photo = photos.get(project.id)
        if photo is not None and photo.thumbnail:
            row["photo"] = "data:image/jpeg;base64," + base64.b64encode(mini(photo.thumbnail)).decode()
            row["photo_caption"] = photo.caption
    return snapshot
