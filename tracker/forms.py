"""The base of Duban's WTForms forms."""

from typing import Any

from flask import request
from flask_wtf import FlaskForm

WRITES = ("POST", "PUT", "PATCH", "DELETE")


class TextForm(FlaskForm):
    """A form of text fields only: uploaded files never reach its fields.

    Flask-WTF merges ``request.files`` into the form data, so a file posted where
    text belongs would reach a validator as a FileStorage (and crash it); with only
    ``request.form`` read, such a field is simply empty.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and "formdata" not in kwargs and request and request.method in WRITES:
            kwargs["formdata"] = request.form
        super().__init__(*args, **kwargs)
