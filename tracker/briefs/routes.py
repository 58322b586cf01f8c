"""Routes of the briefs domain."""

from flask import Blueprint

bp = Blueprint("briefs", __name__)
