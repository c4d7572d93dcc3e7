"""An article's Markdown as safe HTML: markdown-it-py (CommonMark, tables, no raw HTML)
then nh3, so neither an author's mistake nor a pasted script reaches a reader."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def article_html(markdown: str) -> str:
    """The sanitised HTML of ``markdown``; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(_MARKDOWN.render(markdown), link_rel="noopener noreferrer")
