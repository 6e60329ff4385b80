"""PDFs with WeasyPrint: the panel pack and the weekly tracking report.

The HTML is rendered from a template with its own print stylesheet; WeasyPrint is given a URL
fetcher that fetches nothing, so a PDF never reaches out to the network or the file system
(everything it needs is in the HTML).
"""

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    html = render_to_string(template, context, request=request)
    # No protocol is allowed: links stay links, but nothing is ever fetched.
    fetcher = URLFetcher(allowed_protocols=set(), allow_redirects=False, timeout=1)
    pdf = HTML(string=html, url_fetcher=fetcher, base_url="about:blank").write_pdf()
    assert pdf is not None
    return pdf
