"""Duban's benchmarks at a city's scale (``make bench``). Run by hand, never by the test suite.

1. Generates a park of 2,000 projects (bench/generate.py) into a fresh SQLite file
   (or the PostgreSQL database named by BENCH_DATABASE_URL).
2. Counts the SQL statements of each page through the test client.
3. Serves the app with gunicorn on loopback and loads each page with wrk from a second
   process: a fixed duration, a bounded number of connections, loopback only. The same
   for /healthz, Flask's own ceiling on this machine, so every page is also a ratio.
4. Peak memory (VmHWM) of the gunicorn workers after the load.
5. The brief for 30, 200 and 2,000 projects, the supervision notice, and the workbook
   import and export of 2,000 projects, each in a child process (time, peak memory).

Prints one Markdown table; copy it into the README with the date and machine.
Options: ``--projects N`` (default 2000), ``--seconds S`` per page (default 5),
``--skip-briefs`` (the 2,000-project brief takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(url: str, instance: Path) -> dict:
    return dict(os.environ, DATABASE_URL=url, INSTANCE_PATH=str(instance), SECRET_KEY="bench",
                HUEY_URL=f"sqlite:///{instance}/queue.sqlite")


def child(code: str, env: dict) -> dict:
    """Run Python ``code`` in a child process; it prints one JSON line; add its peak memory."""
    wrapper = (
        "import json, resource, time\n" + code +
        "\nresult['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print('RESULT ' + json.dumps(result))\n"
    )
    out = subprocess.run([PY, "-c", wrapper], env=env, cwd=ROOT, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(out.stderr[-2000:])


def prepare(url: str, instance: Path, projects: int) -> dict:
    env = env_for(url, instance)
    subprocess.run([PY, "-m", "flask", "--app", "tracker", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    return child(
        "import sys; sys.path.insert(0, 'bench')\n"
        "from generate import generate\nfrom tracker import create_app\n"
        "t = time.perf_counter()\n"
        f"with create_app().app_context(): logins = generate(projects={projects}, issues={projects * 5})\n"
        "result = dict(logins, seconds=time.perf_counter() - t)\n",
        env,
    )


PAGES = [
    ("/healthz (reads the database)", "/healthz", None),
    ("/login", "/login", None),
    ("/account (signed in, 2.6 KB)", "/account", "supervisor"),
    ("dashboard", "/?period={period}", "supervisor"),
    ("register, unfiltered", "/projects?period={period}", "supervisor"),
    ("register, filtered", "/projects?period={period}&level=市重点&light=red&sort=rate", "supervisor"),
    ("issue list", "/issues", "supervisor"),
    ("reporting grid (lead, 50 projects)", "/report/{period}", "lead"),
    ("reporting grid (supervisor, 100 rows a page)", "/report/{period}", "supervisor"),
    ("project page", "/projects/{project}", "supervisor"),
    ("wall chart (50 projects a page)", "/milestones", "supervisor"),
    ("wall chart, filtered", "/milestones?level=市重点&status=逾期", "supervisor"),
]


# Pages issue 18 sets no target for (the fixed cost of a request, for comparison).
UNTARGETED = {"/healthz (reads the database)", "/login", "/account (signed in, 2.6 KB)",
              "project page"}


def query_counts(env: dict, logins: dict) -> dict:
    code = (
        "from sqlalchemy import event\nfrom tracker import create_app\nfrom tracker.extensions import db\n"
        "import re\napp = create_app()\nresult = {}\n"
        f"logins = {logins!r}\npages = {[(u, who) for _, u, who in PAGES]!r}\n"
        "with app.app_context():\n"
        "    count = [0]\n"
        "    event.listen(db.engine, 'before_cursor_execute', lambda *a: count.__setitem__(0, count[0] + 1))\n"
        "for url, who in pages:\n"
        "    client = app.test_client()\n"
        "    if who:\n"
        "        html = client.get('/login').get_data(as_text=True)\n"
        "        token = re.search(r'name=\"csrf_token\"[^>]*value=\"([^\"]+)\"', html).group(1)\n"
        "        client.post('/login', data={'login': logins[who if who != 'lead' else 'lead'] if who == 'lead' else logins['supervisor'], 'password': logins['password'], 'csrf_token': token})\n"
        "    full = url.format(**logins)\n"
        "    client.get(full)\n"
        "    app.extensions.get('duban_cache', {}).clear()\n"  # computed, then from the cache
        "    count[0] = 0\n"
        "    status = client.get(full).status_code\n"
        "    computed, count[0] = count[0], 0\n"
        "    client.get(full)\n"
        "    result[f'{who}:{url}'] = [f'{computed} / {count[0]}', status]\n"
    )
    return child(code, env)


# One browser: the same User-Agent signs in and loads the pages. Flask-Login ties a session to
# the address and User-Agent it was made with; under another one every request would mark the
# session no longer fresh and sign and send its cookie again (wrk sends none of its own).
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) duban-bench"


def cookie_for(base: str, login: str, password: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"login": login, "password": password, "csrf_token": token})
    opener.open(f"{base}/login", data.encode())
    return "; ".join(f"{c.name}={c.value}" for c in jar)


CONNECTIONS = 16  # the load: wrk -t2 -c16


def wrk(url: str, cookie: str | None, seconds: int, connections: int = CONNECTIONS) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
           str(ROOT / "bench" / "wrk_report.lua"), url]
    cmd[1:1] = ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    n, rps, p50, p95, p99, errors = line.split()[1:]
    return {"requests": int(n), "rps": float(rps), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "errors": int(errors)}


def gunicorn(app: str, env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", app],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)


def hello_world(seconds: int) -> dict:
    """A bare Flask hello-world (bench/hello.py) under the same gunicorn, in the same run."""
    port = free_port()
    server = gunicorn("hello:app", dict(os.environ, PYTHONPATH=str(ROOT / "bench")), port)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        wrk(f"http://127.0.0.1:{port}/", None, 1)  # warm-up
        return wrk(f"http://127.0.0.1:{port}/", None, seconds)
    finally:
        server.terminate()
        server.wait(10)


def settle(base: str) -> None:
    """Wait until the server has answered everything queued before (one probe, in line)."""
    urllib.request.urlopen(f"{base}/healthz", timeout=120).read()


def peak_worker_mb(master: int) -> float:
    peaks = []
    for pid in subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                              text=True).stdout.split():
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
    return max(peaks, default=0.0)


def serve_and_load(env: dict, logins: dict, seconds: int) -> tuple[list, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn("wsgi:app", env, port)
    try:
        wait_for(f"{base}/healthz")
        cookies = {
            "supervisor": cookie_for(base, logins["supervisor"], logins["password"]),
            "lead": cookie_for(base, logins["lead"], logins["password"]),
        }
        rows = []
        for label, url, who in PAGES:
            full = base + urllib.parse.quote(url.format(**logins), safe="/?=&")
            # Each page starts on idle workers: a slow page's backlog (wrk closes its connections,
            # gunicorn still answers what it accepted) would otherwise be counted against the next.
            settle(base)
            wrk(full, cookies.get(who), 1)  # warm-up
            settle(base)
            rows.append((label, url, wrk(full, cookies.get(who), seconds)))
        return rows, peak_worker_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)


# Memory of a render in parts is the parent's and its worker processes' at the same moment: a
# thread samples every 50 ms the sum over the process tree of VmRSS (shared pages counted in
# every process that maps them: an upper bound) and of Pss (shared pages split between their
# sharers: what the tree takes from the machine), and keeps the peaks. Reading smaps_rollup
# costs CPU: the sampler's own is left out of the parent's CPU seconds.
TREE_SAMPLER = """
import os, threading, time
def _tree(pid):
    out = [pid]
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            with open(f'/proc/{pid}/task/{tid}/children') as f:
                for child in f.read().split():
                    out += _tree(int(child))
    except OSError:
        pass
    return out
def _kb(path, field):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
peaks = {'rss': 0, 'pss': 0, 'processes': 0, 'cpu': 0.0}
def _sample(stop):
    while not stop.wait(0.05):
        pids = _tree(os.getpid())
        peaks['rss'] = max(peaks['rss'], sum(_kb(f'/proc/{p}/status', 'VmRSS:') for p in pids))
        peaks['pss'] = max(peaks['pss'], sum(_kb(f'/proc/{p}/smaps_rollup', 'Pss:') for p in pids))
        peaks['processes'] = max(peaks['processes'], len(pids))
        peaks['cpu'] = time.thread_time()  # the sampler's own CPU, not the render's
stop_sampling = threading.Event()
threading.Thread(target=_sample, args=(stop_sampling,), daemon=True).start()
"""


def brief_bench(projects: int, seconds_env: dict, work: Path) -> dict:
    """The brief's draft (snapshot and PDF) in a child process: seconds, PDF size, and the
    peak memory of the process tree (see TREE_SAMPLER); ``peak_mb`` is the parent's own."""
    folder = work / f"brief-{projects}"
    folder.mkdir()
    url = f"sqlite:///{folder}/db.sqlite"
    logins = prepare(url, folder, projects)
    year, month = map(int, logins["period"].split("-"))
    return child(
        TREE_SAMPLER +
        "from datetime import date\nfrom tracker import create_app\nfrom tracker.briefs import service\n"
        "with create_app().app_context():\n"
        "    t, c = time.perf_counter(), time.process_time()\n"
        f"    draft = service.draft_for({year}, {month})\n"
        f"    snap = service.build_snapshot({year}, {month}, draft, date.today())\n"
        "    pdf = service.render_brief_pdf(snap)\n"
        "    seconds, cpu = time.perf_counter() - t, time.process_time() - c - peaks['cpu']\n"
        "stop_sampling.set()\n"
        "children = os.times()\n"
        "result = {'seconds': seconds, 'kb': len(pdf) / 1024, 'parent_cpu': cpu,\n"
        "          'children_cpu': children.children_user + children.children_system,\n"
        "          'tree_rss_mb': peaks['rss'] / 1024, 'tree_pss_mb': peaks['pss'] / 1024,\n"
        "          'processes': peaks['processes']}\n",
        env_for(url, folder),
    )


def notice_bench(env: dict) -> dict | None:
    try:
        return child(
            "from tracker import create_app\nfrom tracker.extensions import db\n"
            "from tracker.issues.models import Issue\n"
            "app = create_app()\nclient = app.test_client()\n"
            "with app.app_context(): number = db.session.scalar(db.select(Issue.number).limit(1))\n"
            "import re\nhtml = client.get('/login').get_data(as_text=True)\n"
            "token = re.search(r'name=\"csrf_token\"[^>]*value=\"([^\"]+)\"', html).group(1)\n"
            "client.post('/login', data={'login': 'bench-super', 'password': 'bench-password', 'csrf_token': token})\n"
            "client.get(f'/issues/{number}/notice.pdf')\n"
            "t = time.perf_counter()\nr = client.get(f'/issues/{number}/notice.pdf')\n"
            "result = {'seconds': time.perf_counter() - t, 'kb': len(r.data) / 1024, 'status': r.status_code}\n",
            env,
        )
    except RuntimeError as exc:
        print("notice:", exc, file=sys.stderr)
        return None


def workbook_bench(env: dict, work: Path) -> dict | None:
    """Export the 2,000-project park, then import that file into an empty database."""
    target = work / "export.xlsx"
    try:
        exported = child(
            "from tracker import create_app\nfrom tracker.workbook.export import export_bytes\n"
            "with create_app().app_context():\n"
            "    t, c = time.perf_counter(), time.process_time()\n"
            f"    data = export_bytes()\n"
            f"    open({str(target)!r}, 'wb').write(data)\n"
            "    result = {'seconds': time.perf_counter() - t, 'cpu': time.process_time() - c,\n"
            "              'kb': len(data) / 1024}\n",
            env,
        )
    except RuntimeError as exc:
        print("export:", exc, file=sys.stderr)
        return None
    try:
        in_process = child(
            "import io, tempfile\nfrom datetime import date\n"
            "from python_calamine import CalamineWorkbook\n"
            "from flask_migrate import upgrade\nfrom tracker import create_app\n"
            "from tracker.workbook.plan import plan_import\nfrom tracker.workbook.write import apply_import\n"
            f"data = open({str(target)!r}, 'rb').read()\n"
            "def bare():\n"
            "    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))\n"
            "    for name in wb.sheet_names: wb.get_sheet_by_name(name).to_python()\n"
            "def timed(f):\n"
            "    t, c = time.perf_counter(), time.process_time(); f()\n"
            "    return time.perf_counter() - t, time.process_time() - c\n"
            # Once, like the import's own parse (repeated parses get faster, the import cannot).
            "bare_s, bare_cpu = timed(bare)\n"
            "tmp = tempfile.mkdtemp()\n"
            "app = create_app({'SQLALCHEMY_DATABASE_URI': f'sqlite:///{tmp}/i.sqlite'})\n"
            "with app.app_context():\n"
            "    upgrade()\n"
            "    def run():\n"
            "        plan = plan_import(data, create_users=True)\n"
            "        assert plan.ok, plan.errors[:3]\n"
            "        apply_import(plan, data, 'bench.xlsx', None, today=date.today())\n"
            "    import_s, import_cpu = timed(run)\n"
            "result = {'bare_s': bare_s, 'bare_cpu': bare_cpu, 'import_s': import_s, 'import_cpu': import_cpu}\n",
            env,
        )
    except RuntimeError as exc:
        print("import in process:", exc, file=sys.stderr)
        in_process = None
    folder = work / "import"
    folder.mkdir()
    url = f"sqlite:///{folder}/db.sqlite"
    ienv = env_for(url, folder)
    subprocess.run([PY, "-m", "flask", "--app", "tracker", "db", "upgrade"], env=ienv, cwd=ROOT,
                   check=True, capture_output=True)
    t = time.perf_counter()
    out = subprocess.run([PY, "-m", "flask", "--app", "tracker", "import-xlsx", str(target),
                          "--create-users"], env=ienv, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t
    return {"export": exported, "in_process": in_process, "import_seconds_with_startup": took, "import_ok": out.returncode == 0,
            "import_output": (out.stdout + out.stderr)[-300:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--skip-briefs", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it)")
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work}/bench.sqlite"
    print(f"Generating {args.projects} projects …", file=sys.stderr)
    logins = prepare(url, work, args.projects)
    env = env_for(url, work)
    counts = query_counts(env, logins)
    print("Loading pages with wrk …", file=sys.stderr)
    bare = hello_world(args.seconds)
    rows, worker_mb = serve_and_load(env, logins, args.seconds)
    hello = bare["rps"]

    lines = [
        f"Benchmarks of {date.today()} on {platform.node()} ({os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}), {args.projects} projects, "
        f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}; gunicorn 2 sync workers, "
        f"wrk 2 threads × {CONNECTIONS} connections × {args.seconds} s on loopback. Target "
        "(issue 18): each page ≥ 25 % of the bare hello-world and p99 ≤ 100 ms.",
        "",
        "| page | req/s | p50 ms | p99 ms | share of hello-world | target met | SQL queries (computed / cached) |",
        "| --- | ---: | ---: | ---: | ---: | :---: | ---: |",
        f"| bare Flask hello-world (bench/hello.py) | {hello:.0f} | {bare['p50']:.1f} | "
        f"{bare['p99']:.1f} | 100 % | — | — |",
    ]
    for (label, page_url, r), (_, _, who) in zip(rows, PAGES, strict=True):
        q = counts.get(f"{who}:{page_url}", ["—"])[0]
        share = r["rps"] / hello * 100
        met = "—" if label in UNTARGETED else (
            "yes" if share >= 25 and r["p99"] <= 100 else "no")
        lines.append(f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                     f"{share:.1f} % | {met} | {q} |")
    lines += ["", f"Peak memory of a gunicorn worker after the load: {worker_mb:.0f} MB.", ""]
    lines.append(f"Generating the park: {logins['seconds']:.1f} s.")
    notice = notice_bench(env)
    if notice:
        lines.append(f"Supervision notice PDF: {notice['seconds']:.2f} s, {notice['kb']:.0f} KB.")
    wb = workbook_bench(env, work)
    if wb:
        lines.append(f"Workbook export of {args.projects} projects: {wb['export']['seconds']:.2f} s "
                     f"({wb['export']['cpu']:.2f} s CPU, target ≤ 2 s) "
                     f"({wb['export']['kb']:.0f} KB, peak {wb['export']['peak_mb']:.0f} MB); import of "
                     f"that file into an empty database (CLI, including start-up): "
                     f"{wb['import_seconds_with_startup']:.2f} s ({'accepted' if wb['import_ok'] else 'refused'}).")
        if wb["in_process"]:
            r = wb["in_process"]
            lines.append(
                f"Import in process (plan with validation + write, SQLite): {r['import_s']:.2f} s "
                f"({r['import_cpu']:.2f} s CPU) against the bare python-calamine parse of the same "
                f"file, {r['bare_s']:.2f} s ({r['bare_cpu']:.2f} s CPU): {r['import_s'] / r['bare_s']:.1f}× "
                f"wall, {r['import_cpu'] / r['bare_cpu']:.1f}× CPU (target ≤ 6×).")
    if not args.skip_briefs:
        lines += ["", "| brief | render s | CPU s (parent + workers) | peak MB, all processes "
                  "(Pss; VmRSS) | parent's peak MB | size KB |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for n in (30, 200, 2000):
            print(f"Brief of {n} projects …", file=sys.stderr)
            r = brief_bench(n, env, work)
            lines.append(
                f"| {n} projects | {r['seconds']:.1f} | {r['parent_cpu']:.1f} + "
                f"{r['children_cpu']:.1f} | {r['tree_pss_mb']:.0f}; {r['tree_rss_mb']:.0f} | "
                f"{r['peak_mb']:.0f} | {r['kb']:.0f} |")
    text = "\n".join(lines)
    print(text)
    (OUT / "results.md").write_text(text + "\n")
    shutil.rmtree(work, ignore_errors=True)
    _ = resource


if __name__ == "__main__":
    main()
