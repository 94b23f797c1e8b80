"""The assistant's messages as the person saw them in the chat: bold, links and lists shown, everything else
escaped. markdown-it-py (CommonMark, installed with Rasa already) escapes raw HTML and refuses javascript: links,
so no hand-made sanitiser is needed."""

from __future__ import annotations

from typing import Any, Sequence

from markdown_it import MarkdownIt
from markupsafe import Markup

# The widget's subset (bot/web/static/widget/widget.js): bold (and italic), links, lists, line breaks.
_MARKDOWN = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "link", "list", "newline", "escape"]
)


def _link_open(renderer: Any, tokens: Sequence[Any], index: int, options: Any, env: Any) -> str:
    # A link opens beside the portal, so the consulent keeps the handoff open.
    tokens[index].attrSet("target", "_blank")
    tokens[index].attrSet("rel", "noopener noreferrer")
    return str(renderer.renderToken(tokens, index, options, env))


_MARKDOWN.add_render_rule("link_open", _link_open)


def as_seen(text: str) -> Markup:
    """The assistant's Markdown as safe HTML."""
    return Markup(_MARKDOWN.render(str(text or "")))  # noqa: S704 (markdown-it escapes; html is off)
