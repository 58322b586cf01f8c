"""Bulk photo uploads in the job worker ("photo_upload"), with progress per photo.

An upload of ``PHOTOS_BACKGROUND_FROM`` photos or more (default 4) is kept raw in the files
table (so any worker host sees it) and processed by the worker; a few photos are processed
in the request. The worker checks the rules again (the row may have been submitted since)
and stores all photos or none; the raw uploads are removed either way.
"""

from __future__ import annotations

from tracker.extensions import db
from tracker.jobs import handler


def _drop_raw(job) -> None:  # noqa: ANN001
    """A dead worker's upload: its raw files are removed (the user uploads them again)."""
    from tracker.attachments.service import UPLOAD
    from tracker.files.models import StoredFile

    for file_id in job.params.get("raw_ids", []):
        raw = db.session.get(StoredFile, file_id)
        if raw is not None and raw.owner_kind == UPLOAD:
            db.session.delete(raw)
    db.session.commit()


@handler("photo_upload", retry=False, cleanup=_drop_raw)
def upload_photos(job, progress):  # noqa: ANN001, ANN201
    from tracker.attachments.service import process_kept
    from tracker.auth.models import User

    user = db.session.get(User, job.user_id) if job.user_id else None
    if user is None or not user.active:
        _drop_raw(job)
        raise RuntimeError("上传人账号已停用，照片未保存")
    done = process_kept(user, job.params.get("raw_ids", []), progress)
    progress(done, done, f"已上传 {done} 张照片。")
    return None
