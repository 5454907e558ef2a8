"""Story text: a safe subset of Markdown rendered to sanitised HTML; plain text escaped."""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import escape

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4"}


def story_html(text: str) -> str:
    """Markdown to HTML, then sanitised with nh3 (no raw HTML, no images, safe links only)."""
    html = _markdown.render(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


def plain_html(text: str) -> str:
    """Plain text as HTML: escaped, paragraphs kept as line breaks."""
    return str(escape(text)).replace("\n", "<br>")
