"""Throwaway PostgreSQL and Redis servers of a bench's own, which it may stop and start (fault runs).

Never the shared servers: each lives on a free port, and drop() removes it (data included).
PostgreSQL: as root on Debian, a cluster made with pg_createcluster (trust authentication on
127.0.0.1); otherwise initdb and pg_ctl in a temporary folder. Redis: redis-server with no persistence.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from common import free_port  # bench/common.py


class ServerUnavailable(Exception):
    """This machine cannot run a server of the bench's own (binary missing, not permitted)."""


def _run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if result.returncode != 0:
        raise ServerUnavailable(f"{' '.join(command)} failed: {(result.stderr or result.stdout).strip()[-300:]}")
    return result


def _wait_for_port(port, seconds, ping=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if ping is None:
                    return True
                sock.sendall(ping[0])
                if sock.recv(64).startswith(ping[1]):
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


class OwnRedis:
    """redis-server on a free port of 127.0.0.1, without persistence."""

    name = "Redis"

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise ServerUnavailable("redis-server is not on the PATH")
        self.port = free_port()
        self.process = None
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        """Start (again, on the same port) and wait until it answers PING."""
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if not _wait_for_port(self.port, 10, (b"PING\r\n", b"+PONG")):
            self.stop()
            raise ServerUnavailable(f"redis-server did not answer on port {self.port}")

    def stop(self):
        """Stop it as a restart does (SIGTERM; its clients' connections are closed)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def drop(self):
        self.stop()


class OwnPostgres:
    """A PostgreSQL cluster on a free port of 127.0.0.1 with trust authentication for user postgres."""

    name = "PostgreSQL"

    def __init__(self):
        self.port = free_port()
        self.cluster = None  # (version, name) when made by pg_createcluster
        self.datadir = None
        if os.geteuid() == 0 and shutil.which("pg_createcluster"):
            versions = sorted((Path(p).parents[1].name for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")),
                              key=lambda v: float(v) if v.replace(".", "").isdigit() else 0)
            if not versions:
                raise ServerUnavailable("pg_createcluster is here but no PostgreSQL server under /usr/lib/postgresql")
            self.cluster = (versions[-1], f"hsbench{self.port}")
            _run("pg_createcluster", self.cluster[0], self.cluster[1], "--port", str(self.port),
                 "--", "--auth=trust", "--username=postgres")
        elif os.geteuid() != 0 and shutil.which("initdb") and shutil.which("pg_ctl"):
            self.datadir = tempfile.mkdtemp(prefix="hindsight-pg-")
            _run("initdb", "-D", self.datadir, "-A", "trust", "-U", "postgres")
        else:
            raise ServerUnavailable("neither pg_createcluster (as root) nor initdb and pg_ctl (as a user) are available")
        try:
            self.start()
        except ServerUnavailable:
            self.drop()
            raise

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/hindsight_load_fault"

    def _ctl(self, action, *options):
        if self.cluster:
            return _run("pg_ctlcluster", "--skip-systemctl-redirect", *options, *self.cluster, action)
        return _run("pg_ctl", "-D", self.datadir, "-w", "-l", os.path.join(self.datadir, "log"),
                    "-o", f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1", action, *options)

    def start(self):
        """Start (again) and wait until it accepts connections."""
        self._ctl("start")
        if not _wait_for_port(self.port, 30):
            raise ServerUnavailable(f"PostgreSQL did not listen on port {self.port}")

    def stop(self):
        """A restart's stop: fast mode, which ends every session at once."""
        self._ctl("stop", "-m", "fast")

    def drop(self):
        """Stop it and delete it, data and configuration."""
        if self.cluster:
            subprocess.run(["pg_dropcluster", "--stop", *self.cluster], capture_output=True, timeout=120)
        elif self.datadir:
            subprocess.run(["pg_ctl", "-D", self.datadir, "-w", "stop", "-m", "immediate"], capture_output=True,
                           timeout=60)
            shutil.rmtree(self.datadir, ignore_errors=True)
