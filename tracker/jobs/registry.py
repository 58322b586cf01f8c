"""Imports every module that registers job handlers."""

from tracker.briefs import jobs as brief_jobs  # noqa: F401
from tracker.jobs import handlers  # noqa: F401
from tracker.workbook import jobs as workbook_jobs  # noqa: F401
