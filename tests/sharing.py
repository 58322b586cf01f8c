"""What every test's app shares within a test process, made once instead of once per test:
the database engines, the compiled templates and the URL builders (used by
``tests/conftest.py``)."""

from __future__ import annotations

from jinja2.bccache import Bucket, BytecodeCache


class KeptEngines:
    """One SQLAlchemy engine per database URL and options in this process, handed to every
    test's app (Flask-SQLAlchemy would make a new one per app). An engine keeps its compiled
    statements: a new one compiled every statement of every test again (about 30 ms a test).
    Every test has the same database (the worker's own, emptied or copied over:
    ``database_url``); the app fixture disposes of the engine's connections after each test
    (a test may change what a new connection is set up with), the engine itself stays."""

    def __init__(self, make) -> None:  # noqa: ANN001
        self.make, self.engines = make, {}

    def __call__(self, bind_key, options: dict, app):  # noqa: ANN001, ANN204
        key = (bind_key, repr(sorted(options.items(), key=str)))
        if key not in self.engines:
            self.engines[key] = self.make(bind_key, options, app)
        return self.engines[key]


class SessionTemplateCache(BytecodeCache):
    """Compiled templates shared by every test's app in this process. Each app has a Jinja
    environment of its own and would compile every template it renders again (about a fifth of
    a web test's time); Jinja compares the template source's checksum, so a changed template is
    compiled anew. The code objects are kept as they are, not marshalled."""

    def __init__(self) -> None:
        self.compiled: dict = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.compiled.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[(bucket.key, bucket.checksum)] = bucket.code


def share_url_builders() -> None:
    """Every test's app adds the same hundred-odd URL rules, and werkzeug generates and
    compiles two Python functions per rule for url_for (a fifth of a short web test's CPU).
    The generated function is a pure function of the rule (it receives the rule as its first
    argument), so this process compiles each once and hands the same function to every app."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    built: dict = {}

    def shared(self: Rule, append_unknown: bool = True):  # noqa: ANN202
        key = (self.rule, self.map.host_matching, self.subdomain, self.host, self.merge_slashes,
               tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               tuple((name, type(c), repr({k: v for k, v in vars(c).items() if k != "map"}))
                     for name, c in self._converters.items()),
               append_unknown)
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared
