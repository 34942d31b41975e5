"""The certificate of eligibles as a tagged PDF (PDF/UA-1), drawn by WeasyPrint from
templates/certificates/certificate_pdf.html, and stored on `Certificate.pdf` by `certificate_pdf_store`
(which the task certificates.tasks.certificate_pdf_render calls). A long certificate is drawn in parts
by two processes (pdf_parts.py) and joined (pdf_join.py): 2,000 names take about 9 s here
(docs/performance.md).

What the PDF may load is decided here, not by the page: `StaticFilesFetcher` answers only `smeqa-static:`
URLs, and only with font files under STATICFILES_DIRS or STATIC_ROOT. Every other URL (file:, http(s):,
data:, ftp: ...) raises `FetchRefused`, and the render stops. Names and notes are autoescaped text in
the template, so an applicant cannot add an element or a stylesheet that would ask for one.
"""

import hashlib
import logging
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from hiring.models import AppointmentType

from . import pdf_join, pdf_parts, rules
from .models import Certificate, Correction, Disposition, Entry, Preference

logger = logging.getLogger(__name__)

TEMPLATE = "certificates/certificate_pdf.html"
STATIC_SCHEME = "smeqa-static"
# Only the fonts the template names. A stylesheet or an SVG could ask for more URLs; nothing else is needed.
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
# PDF/UA-1 (ISO 14289-1): tagged structure, /MarkInfo /Marked true, document language and title.
PDF_VARIANT = "pdf/ua-1"


class FetchRefused(ValueError):
    """A URL the certificate PDF may not load."""


class CertificatePdfError(RuntimeError):
    """The certificate PDF could not be drawn or stored (recorded on the certificate as `pdf_error`)."""


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for the certificate: `smeqa-static:///<path>` reads a font under our static
    folders; anything else raises `FetchRefused`. `requested` and `refused` record every URL it was asked
    for, so tests can prove no other URL was tried."""

    def __init__(self) -> None:
        # fail_on_errors: a refused URL stops the render instead of being skipped with a warning.
        super().__init__(allowed_protocols=(STATIC_SCHEME,), allow_redirects=False, fail_on_errors=True)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        try:
            path = static_file_for(url)
        except FetchRefused:
            self.refused.append(url)
            raise
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": FONT_TYPES[path.suffix.lower()]}
        )

    def open(self, url, data=None, timeout=None):
        # urllib's OpenerDirector.open would reach its file/http handlers; everything goes through fetch.
        return self.fetch(url if isinstance(url, str) else url.full_url)


def static_file_for(url: str) -> Path:
    """The font file a `smeqa-static:///<path>` URL names, inside STATICFILES_DIRS or STATIC_ROOT.
    Raises `FetchRefused` for any other scheme, a host, a query, an escape from the static folders
    (`..`, symlinks, percent-encoding) or a file that is not a font."""
    parts = urlsplit(url)
    if parts.scheme.lower() != STATIC_SCHEME:
        raise FetchRefused(f"Only our own static files may be loaded, not {url[:200]!r}.")
    if parts.netloc or parts.query or parts.fragment or not parts.path.startswith("/"):
        raise FetchRefused(f"Not a plain static path: {url[:200]!r}.")
    relative = parts.path.lstrip("/")
    if any(c in relative for c in "%\\\0") or any(s in {"", ".", ".."} for s in relative.split("/")):
        raise FetchRefused(f"Not a plain static path: {url[:200]!r}.")
    if Path(relative).suffix.lower() not in FONT_TYPES:
        raise FetchRefused(f"Only font files may be loaded, not {url[:200]!r}.")
    for root in _static_roots():
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    raise FetchRefused(f"No such static file: {url[:200]!r}.")


def _static_roots() -> list[Path]:
    roots = []
    for entry in settings.STATICFILES_DIRS:
        folder = entry[1] if isinstance(entry, tuple | list) else entry  # (prefix, path) or path
        roots.append(Path(folder).resolve())
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


# --- drawing --------------------------------------------------------------------------------------------

# One WeasyPrint pass costs about 7 ms of CPU per row, so a long certificate is drawn in parts of whole
# pages, two processes at a time, and joined (pdf_parts.py, pdf_join.py; docs/performance.md). A part
# should end where a page ends: these are the one-line rows that fit on the first page (less two, for a
# shared copy's note or a long title) and on later pages, measured on the template
# (tests/certificates/test_pdf.py checks them). A name longer than NAME_LINE_CHARS counts as two rows.
ROWS_FIRST_PAGE = 22
ROWS_PER_PAGE = 42
NAME_LINE_CHARS = 40
PART_PAGES = 6
WORKERS = 2


def render_certificate_pdf(
    certificate: Certificate,
    *,
    entries: Iterable[Entry] | None = None,
    corrections: Iterable[Correction] | None = None,
    url_fetcher: StaticFilesFetcher | None = None,
    workers: int = WORKERS,
    part_pages: int = PART_PAGES,
) -> bytes:
    """The certificate as PDF/UA-1 bytes: its names in rank order with preference, category and an empty
    disposition column. Reads the entries and corrections unless given (so unsaved objects render too).
    `url_fetcher` records what was fetched, children's fetches included. Raises `CertificatePdfError`."""
    if entries is None:
        entries = (
            certificate.entries.filter(removed=False)
            .order_by("rank")
            .only("rank", "name", "preference", "tentative", "category", "disposition", "disposition_on")
        )
    if corrections is None:
        # Every copy shows the corrections made to its original (rule 61).
        original = certificate.source if certificate.source_id else certificate
        corrections = original.corrections.all() if original.pk else []
    entries = list(entries)
    fetcher = url_fetcher if url_fetcher is not None else StaticFilesFetcher()
    base = _context(certificate, total=len(entries), corrections=list(corrections))
    parts = plan_parts(entries, part_pages=part_pages)
    htmls = [
        render_to_string(
            TEMPLATE, {**base, "part": "body", "rows": rows, "first": i == 0, "last": i == len(parts) - 1}
        )
        for i, rows in enumerate(parts)
    ]
    before = (list(fetcher.requested), list(fetcher.refused))
    try:
        drawn = pdf_parts.draw_parts(htmls, partial(_draw, fetcher=fetcher), workers=workers)
        pages = sum(part.pages for part in drawn)
        heads_html = render_to_string(TEMPLATE, {**base, "part": "heads", "sheets": range(1, pages + 1)})
        heads = pdf_parts.DrawLater(
            heads_html, partial(_draw, fetcher=fetcher, tagged=False), workers=workers
        )
        try:
            data = pdf_join.join_parts(drawn, heads)
        finally:
            heads.close()
        # Each process recorded into its own copy of the fetcher: gather the records here.
        fetcher.requested = before[0] + [url for part in (*drawn, heads()) for url in part.requested]
        fetcher.refused = before[1] + [url for part in (*drawn, heads()) for url in part.refused]
        return data
    except pdf_join.PartFailed as exc:
        raise CertificatePdfError(str(exc)) from exc


def plan_parts(entries: list[Entry], *, part_pages: int) -> list[list[Entry]]:
    """The entries of each part, each part `part_pages` pages long by estimate, one row short of full so
    that a part never spills onto a page of its own (at least one part, perhaps empty)."""
    parts: list[list[Entry]] = [[]]
    budget = ROWS_FIRST_PAGE + (part_pages - 1) * ROWS_PER_PAGE - 1
    used = 0
    for entry in entries:
        rows = 1 + (len(entry.name) - 1) // NAME_LINE_CHARS if entry.name else 1
        if parts[-1] and used + rows > budget:
            parts.append([])
            budget, used = part_pages * ROWS_PER_PAGE - 1, 0
        parts[-1].append(entry)
        used += rows
    return parts


def write_pdf(html: str, *, url_fetcher: StaticFilesFetcher | None = None) -> bytes:
    """PDF/UA-1 bytes from our own HTML in one WeasyPrint pass, loading only what `StaticFilesFetcher`
    allows. Raises `CertificatePdfError` if the HTML asks for anything else."""
    fetcher = url_fetcher if url_fetcher is not None else StaticFilesFetcher()
    try:
        return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: make it an ordinary error
        raise CertificatePdfError(
            f"The certificate asked for a file it may not load: {exc.__cause__}"
        ) from exc


def _draw(html: str, *, fetcher: StaticFilesFetcher, tagged: bool = True) -> pdf_join.Part:
    """One WeasyPrint pass, kept as pydyf objects for joining, with the URLs fetched and refused during it.
    No base URL, so a relative URL is never resolved against anything."""
    requested, refused = len(fetcher.requested), len(fetcher.refused)
    options = {"pdf_variant": PDF_VARIANT} if tagged else {}
    try:
        document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(**options)
        # Header IDs must differ from part to part; the part's own text makes a stable prefix.
        prefix = hashlib.sha256(html.encode()).hexdigest()[:8] + "-"
        pdf, outline, ids = pdf_parts.capture(document, id_prefix=prefix, **options)
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: make it an ordinary error
        raise CertificatePdfError(
            f"The certificate asked for a file it may not load: {exc.__cause__}"
        ) from exc
    return pdf_join.Part(
        pdf, len(document.pages), outline, ids, fetcher.requested[requested:], fetcher.refused[refused:]
    )


def _context(certificate: Certificate, *, total: int, corrections: list[Correction]) -> dict:
    appointment = certificate.appointment_type
    return {
        "certificate": certificate,
        "source": certificate.source if certificate.source_id else None,
        "total": total,
        "corrections": corrections,
        "appointment_type": AppointmentType(appointment).label
        if appointment in AppointmentType
        else appointment,
        "categories": ", ".join(rules.CATEGORY_LABELS.get(c, c) for c in certificate.categories),
        "preference_key": [(code, _without_code(code, label)) for code, label in Preference.choices],
        "disposition_key": [(code, _without_code(code, label)) for code, label in Disposition.choices],
    }


def _without_code(code: str, label: str) -> str:
    return label.removeprefix(f"{code}: ")


# --- storing --------------------------------------------------------------------------------------------

STORE_ATTEMPTS = 3
SHOWN_CERTIFICATE_FIELDS = (
    "number", "title", "series", "pay_plan", "grade", "full_performance_level", "duty_location",
    "appointment_type", "categories", "merged", "agency_id", "source_id", "issued_by_id", "issued_on",
    "return_by", "state", "version",
)  # fmt: skip
SHOWN_ENTRY_FIELDS = (
    "rank",
    "name",
    "preference",
    "tentative",
    "category",
    "disposition",
    "disposition_on",
    "removed",
)


def certificate_pdf_store(certificate_id: int) -> bool:
    """Draw the certificate's PDF and store it as `certificates/<number>.pdf`, then set `pdf_state` ready.
    Returns True when this call stored it; does nothing and returns False when the PDF is already ready,
    so a second run is harmless (a service that changes what the PDF shows sets `pdf_state` back to
    pending first). If what the PDF shows changed while it was drawn, it is drawn again. On any failure
    sets `pdf_state` failed with `pdf_error` and raises `CertificatePdfError`, for the task to retry."""
    try:
        for _ in range(STORE_ATTEMPTS):
            certificate = (
                Certificate.objects.select_related("agency", "issued_by", "source__agency")
                .filter(pk=certificate_id)
                .first()
            )
            if certificate is None or _stored(certificate):
                return False
            shown = _shown(certificate)
            data = render_certificate_pdf(certificate)  # outside any transaction: it takes seconds
            with transaction.atomic():
                current = Certificate.objects.select_for_update().get(pk=certificate_id)
                if _stored(current):
                    return False  # another run stored it while this one was drawing
                if _shown(current) != shown:
                    continue
                field = current.pdf.field
                name = field.generate_filename(current, f"{current.number}.pdf")
                # The same name every time: replace a stale file rather than let storage add a suffix.
                if field.storage.exists(name):
                    field.storage.delete(name)
                current.pdf.save(f"{current.number}.pdf", ContentFile(data), save=False)
                current.pdf_state = Certificate.Pdf.READY
                current.pdf_error = ""
                current.save(update_fields=["pdf", "pdf_state", "pdf_error"])
                return True
        raise CertificatePdfError(f"The certificate changed while its PDF was drawn, {STORE_ATTEMPTS} times.")
    except Exception as exc:
        logger.exception("Certificate %s: PDF not stored", certificate_id)
        # A single UPDATE, and never over a PDF another run has just stored.
        Certificate.objects.filter(pk=certificate_id).exclude(pdf_state=Certificate.Pdf.READY).update(
            pdf_state=Certificate.Pdf.FAILED, pdf_error=f"{type(exc).__name__}: {exc}"[:1000]
        )
        if isinstance(exc, CertificatePdfError):
            raise
        raise CertificatePdfError(f"{type(exc).__name__}: {exc}") from exc


def _shown(certificate: Certificate) -> int:
    """A digest of everything the PDF shows, to tell whether it changed while the PDF was drawn."""
    original = certificate.source_id or certificate.pk
    digest = hashlib.sha256()
    for row in (
        Certificate.objects.filter(pk__in=[certificate.pk, original])
        .order_by("pk")
        .values_list(*SHOWN_CERTIFICATE_FIELDS),
        Entry.objects.filter(certificate=certificate).order_by("rank").values_list(*SHOWN_ENTRY_FIELDS),
        Correction.objects.filter(certificate_id=original)
        .order_by("pk")
        .values_list("pk", "note", "made_at"),
    ):
        digest.update(repr(list(row)).encode())
    return int.from_bytes(digest.digest()[:8], "big")


def _stored(certificate: Certificate) -> bool:
    return (
        certificate.pdf_state == Certificate.Pdf.READY
        and bool(certificate.pdf.name)
        and certificate.pdf.storage.exists(certificate.pdf.name)
    )
