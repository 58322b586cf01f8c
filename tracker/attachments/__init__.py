"""Attachments (附件): 形象进度 photos on report rows, evidence (佐证) on issue log entries.

The storage and the image work live lower, in ``tracker.files``; this package is the owner's
side, in the domain tier above reports and issues: who may read, add and remove a file of a
report row or an issue (``service``), the pages' photo lists with their flags (``queries``),
and the routes (``/files/<id>``, ``/files/<id>/thumb``, the upload and removal forms).
``init_app`` plugs the template helpers and the issue evidence handler in from above.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Template helpers for the pages that show photos, and the blueprint."""
    import tracker.attachments.jobs  # noqa: F401  (the bulk upload's job handler)
    from tracker.attachments import queries, service
    from tracker.attachments.routes import bp
    from tracker.issues.service import set_evidence_handler

    set_evidence_handler(service.evidence_handler)

    app.config.setdefault("PHOTOS_BACKGROUND_FROM", 4)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        month_photos=queries.month_photos,
        photo_errors=queries.photo_errors,
        project_gallery=queries.project_gallery,
        issue_evidence=queries.issue_evidence,
        projects_with_photos=queries.projects_with_photos,
    )
