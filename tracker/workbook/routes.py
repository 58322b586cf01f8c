"""Routes of the workbook domain."""

from flask import Blueprint

bp = Blueprint("workbook", __name__)
