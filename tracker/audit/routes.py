"""Routes of the audit domain."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
