"""An article's text from an uploaded file: plain text as is, HTML through trafilatura.

trafilatura (a maintained main-content extractor) drops navigation, footers and scripts and
keeps the article's paragraphs; it runs offline. Paragraphs come back separated by blank lines.
"""

import re

from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm")
_BLANK_LINES = re.compile(r"\n{3,}")


def _decode(data):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"article_file": ["The file is not UTF-8 (or Windows-1252) text."]})


def article_text_from_file(name, data):
    """The article text of an uploaded .txt or .html file. Raises ValidationError on `article_file`."""
    lower = (name or "").lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"article_file": [f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."]})
    if lower.endswith(TEXT_SUFFIXES):
        text = _decode(data).replace("\r\n", "\n")
    elif lower.endswith(HTML_SUFFIXES):
        import trafilatura

        extracted = trafilatura.extract(_decode(data), include_comments=False, include_tables=False, favor_recall=True)
        text = (extracted or "").replace("\n", "\n\n")
    else:
        raise ValidationError({"article_file": ["Upload a .txt or .html file."]})
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if not text:
        raise ValidationError({"article_file": ["No article text was found in the file."]})
    return text
