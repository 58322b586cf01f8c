"""A bare Flask hello-world: the ceiling Flask itself reaches under the same gunicorn, the
reference every page of ``make bench`` is a share of."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
