"""Small server-drawn horizontal bar charts for the reports (SVG in the template; no
chart library, nothing fetched from elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass

#: Chart geometry, in SVG user units.
WIDTH, BAR_AREA, LABEL_WIDTH, ROW = 360, 165, 150, 28


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    value: int
    css: str
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    """A horizontal (stacked) bar chart; ``legend`` names each segment's class."""

    bars: list[Bar]
    height: float
    legend: list[tuple[str, str]]


def bar_chart(
    rows: list[tuple[str, list[tuple[str, int, str]]]], legend: list[tuple[str, str]] | None = None
) -> Chart | None:
    """``rows``: (bar label, [(segment label, value, css class), ...]) in display order;
    ``None`` when every value is zero."""
    biggest = max((sum(v for _l, v, _c in segs) for _lbl, segs in rows), default=0)
    if not biggest:
        return None
    bars = []
    for i, (label, segs) in enumerate(rows):
        x = float(LABEL_WIDTH)
        out = []
        for seg_label, value, css in segs:
            width = BAR_AREA * value / biggest
            out.append(Segment(x=x, width=width, value=value, css=css, label=seg_label))
            x += width
        bars.append(Bar(label=label, y=i * ROW + 6, total=sum(s.value for s in out), segments=out))
    return Chart(bars=bars, height=len(rows) * ROW + 12, legend=legend or [])
