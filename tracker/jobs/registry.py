"""Imports every module that registers job handlers."""

from tracker.jobs import handlers  # noqa: F401
