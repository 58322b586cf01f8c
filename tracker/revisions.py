"""A published revision frozen with its bytes: the columns the brief and the work report share.

Publishing stores what was shown (``snapshot``) and the files made from it with their SHA-256;
downloading a revision later gives those bytes, whatever changed in the data since. Each model
declares its own ``pdf`` column (the brief's is read with the row, the work report's when asked
for) and what else it freezes (the brief's issue ledger).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.timeutil import utcnow


class FrozenRevision:
    """Mixin: snapshot, Word bytes, hashes, who published when, and the row's version (edits
    of the draft never overwrite each other)."""

    snapshot: Mapped[dict | None] = mapped_column(JSON)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # The same revision in Word, read only when asked for.
    docx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr
    def published_by(cls) -> Mapped[Any]:  # noqa: N805
        return relationship("User")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}
