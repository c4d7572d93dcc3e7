"""A private Postfix instance for the delivery tests: Debian's postfix run from a
temporary configuration directory, relaying the support domain to our LMTP listener
with the set-up ``docs/email.md`` prints (read from the page, so the page is what is
tested).

The instance is Postfix's own ``postfix -c DIR start``: its queue, data directory and
log are in the temporary directory, its smtpd listens on a loopback port of its own, and
its daemons run as the ``postfix`` user the package created. Nothing of the system's
Postfix (``/etc/postfix``, port 25) is read or started.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "email.md"
POSTFIX = Path("/usr/sbin/postfix")
POSTMAP = Path("/usr/sbin/postmap")
POSTQUEUE = Path("/usr/sbin/postqueue")
POSTSUPER = Path("/usr/sbin/postsuper")
#: The listener's address in the page's example, replaced by the test's.
DOCS_LISTENER = "127.0.0.1:8025"

# Every service a relay that takes mail by SMTP and hands it on by LMTP needs, none
# chrooted (Debian's master.cf chroots smtpd, which needs copies of /etc in the queue).
MASTER_CF = """\
{smtpd} inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n -      n       -       1       postlogd
"""

# What a private instance needs besides the page's lines: its own directories and log,
# loopback only, no local delivery. ``mynetworks`` is empty, so the test's client
# (127.0.0.1) is a stranger, as a customer's mail server on the internet is: only
# relay_domains lets its mail in. ``lmtp_line_length_limit = 0`` delivers long lines
# unfolded (Postfix folds them at 998 by default), so the listener is shown to take a
# 28,468-character base64 line from a real mail server.
INSTANCE_CF = """\
compatibility_level = 3.6
queue_directory = {base}/queue
data_directory = {base}/data
maillog_file = {base}/maillog
maillog_file_prefixes = {base}
myhostname = mx.desk.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks =
alias_maps =
alias_database =
lmtp_line_length_limit = 0
"""

_DELIVERY = re.compile(r"postfix/lmtp\[\d+\]: (\w+): to=<([^>]*)>, .*status=(\w+) \((.*)\)$")


@dataclass(frozen=True)
class Delivery:
    """One line of the log: a recipient's delivery attempt over LMTP."""

    queue_id: str
    recipient: str
    status: str  # sent, deferred, bounced
    reply: str


def unavailable() -> str | None:
    """Why a private Postfix cannot run here, or None when it can."""
    if not POSTFIX.exists():
        return (
            "Debian's postfix is not installed (./run test installs it as root where "
            "apt-get exists: apt-get install postfix)"
        )
    if os.geteuid() != 0:
        return "a Postfix instance starts as root (its daemons then run as user postfix)"
    return None


def docs_setup() -> tuple[str, str]:
    """The ``main.cf`` lines and the transport table of docs/email.md's Postfix set-up."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    block = next(b for b in blocks if b.startswith("# /etc/postfix/main.cf\n"))
    main_cf, _, transport = block.partition("# /etc/postfix/transport")
    return main_cf, transport.partition("\n")[2]


class PostfixInstance:
    """Start with :meth:`start`, always :meth:`stop` (which removes the directory)."""

    def __init__(self, *, smtpd_port: int, listener_port: int) -> None:
        self.smtpd_port = smtpd_port
        self.listener_port = listener_port
        # Under /tmp, readable by the postfix user (pytest's tmp_path is root's alone).
        self.base = Path(tempfile.mkdtemp(prefix="supportdesk-postfix-"))
        self.base.chmod(0o755)
        self.conf = self.base / "conf"
        self.log = self.base / "maillog"
        self.log_offset = 0

    def write_config(self) -> None:
        main_cf, transport = docs_setup()
        self.conf.mkdir(mode=0o755)
        (self.base / "queue").mkdir(mode=0o755)
        (self.conf / "main.cf").write_text(
            INSTANCE_CF.format(base=self.base) + main_cf.replace("/etc/postfix/", f"{self.conf}/"),
            encoding="utf-8",
        )
        (self.conf / "master.cf").write_text(
            MASTER_CF.format(smtpd=f"127.0.0.1:{self.smtpd_port}"), encoding="utf-8"
        )
        (self.conf / "transport").write_text(
            transport.replace(DOCS_LISTENER, f"127.0.0.1:{self.listener_port}"), encoding="utf-8"
        )
        self._run(POSTMAP, "-c", str(self.conf), str(self.conf / "transport"))

    def start(self) -> None:
        self.write_config()
        self._run(POSTFIX, "-c", str(self.conf), "start")

    def flush(self) -> None:
        """``postfix flush``: deliver the deferred mail now."""
        self._run(POSTFIX, "-c", str(self.conf), "flush")

    def stop(self) -> None:
        try:
            subprocess.run(
                [str(POSTFIX), "-c", str(self.conf), "stop"], capture_output=True, timeout=30
            )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def clear(self) -> None:
        """Start a test afresh: the log read from here on, an empty queue."""
        self._run(POSTSUPER, "-c", str(self.conf), "-d", "ALL")
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0

    def queue(self) -> str:
        """``postqueue -p``: what waits in the queue."""
        return self._run(POSTQUEUE, "-c", str(self.conf), "-p")

    def log_text(self) -> str:
        """The log since :meth:`clear`."""
        if not self.log.exists():
            return ""
        with self.log.open("rb") as log:
            log.seek(self.log_offset)
            return log.read().decode("utf-8", "replace")

    def deliveries(self) -> list[Delivery]:
        return [
            Delivery(*m.groups())
            for m in (_DELIVERY.search(line) for line in self.log_text().splitlines())
            if m
        ]

    def wait_for(self, what: str, done: Callable[[list[Delivery]], bool], within: float) -> None:
        """Wait until ``done(deliveries)``; fail naming ``what``, with the log, after
        ``within`` seconds."""
        deadline = time.monotonic() + within
        while not done(self.deliveries()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not within {within} s; log:\n{self.log_text()}")
            time.sleep(0.05)

    @staticmethod
    def _run(program: Path, *args: str) -> str:
        done = subprocess.run(
            [str(program), *args], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program.name} {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout
