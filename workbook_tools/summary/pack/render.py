"""The Cabinet pack as one self-contained HTML file (styles and charts inline, nothing
fetched), and as a tagged PDF (PDF/UA-1) through WeasyPrint, the optional `pdf` extra."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from workbook_tools.errors import ConfigurationError
from workbook_tools.files.beside import write_beside
from workbook_tools.summary.pack.model import Pack
from workbook_tools.summary.pack.sections import WRITTEN_BY_TOOL
from workbook_tools.summary.pack.table import NUMERIC

PDF_EXTRA = ("--pdf needs WeasyPrint, which is not installed: run pip install "
             "'workbook-tools[pdf]' and try again.")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("workbook_tools.summary.pack"),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)


def html(pack: Pack, for_pdf: bool = False) -> str:
    """The page: for the PDF each chart is an <img> whose alt text WeasyPrint tags."""
    css = resources.files("workbook_tools.summary.pack").joinpath("templates/pack.css")
    template = _environment().get_template("pack.html.j2")
    return template.render(pack=pack, css=css.read_text(encoding="utf-8"), for_pdf=for_pdf,
                           written_by_tool=WRITTEN_BY_TOOL, numeric_kinds=NUMERIC)


def pdf_bytes(page: str) -> bytes:
    """A tagged PDF (PDF/UA-1) of the page, printed on A4.

    Raises:
        ConfigurationError: WeasyPrint is not installed.
    """
    try:
        import weasyprint
    except (ImportError, OSError):
        raise ConfigurationError(PDF_EXTRA) from None
    document = weasyprint.HTML(string=page)
    result: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return result


def check_pdf_available() -> None:
    """Raises ConfigurationError (before anything is written) when --pdf cannot work."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        raise ConfigurationError(PDF_EXTRA) from None


def write_pack(pack: Pack, out: Path, pdf: Path | None = None) -> list[Path]:
    """Write the HTML page (and the PDF when `pdf` is given); returns what was written."""
    page = html(pack)
    written = [write_beside(out, lambda p: p.write_text(page, encoding="utf-8"))]
    if pdf is not None:
        data = pdf_bytes(html(pack, for_pdf=True))
        written.append(write_beside(pdf, lambda p: p.write_bytes(data)))
    return written
