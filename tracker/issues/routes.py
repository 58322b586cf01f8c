"""Routes of the issues domain."""

from flask import Blueprint

bp = Blueprint("issues", __name__)
