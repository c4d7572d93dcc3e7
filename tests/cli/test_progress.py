"""Progress of export and import: a bar redrawn in place on a terminal, one plain line
per table elsewhere (a log, a pipe, cron's mail)."""

from __future__ import annotations

import io

from supportdesk.cli.progress import ProgressReport


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def feed(report: ProgressReport) -> None:
    report("accounts.user", 5, 20)
    report("cases.case", 10, 20)
    report("cases.case", 20, 20)
    report.close()


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    feed(ProgressReport("export", out))
    assert out.getvalue().splitlines() == [
        "supportdesk: export: accounts.user (5/20)",
        "supportdesk: export: cases.case (20/20)",
    ]


def test_a_bar_redrawn_in_place_on_a_terminal() -> None:
    out = Terminal()
    feed(ProgressReport("import", out))
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert [f.rstrip() for f in frames] == [
        "import [#######-----------------------] 5/20 accounts.user",
        "import [###############---------------] 10/20 cases.case",
        "import [##############################] 20/20 cases.case",
    ]
