"""A certificate whose names, notes and details hold hostile HTML and CSS (issue 8, research §B7): the PDF
fetches nothing but our own font files, embeds no file, and prints the hostile text as plain text.

The URL fetcher is not trusted to report on itself. Every way WeasyPrint could load something is spied on
at the class level, in this process and in the forked processes that draw parts: any URLFetcher being
called (ours, or a default one a WeasyPrint code path might make for itself), urllib opening a URL, and a
socket connecting. Each sighting is appended to a file, so the children's count too.
"""

import io
import os
import socket
import urllib.request

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from weasyprint.urls import URLFetcher

from certificates import pdf
from certificates.models import Entry
from tests.factories import CertificateFactory, CorrectionFactory, EntryFactory, StaffFactory

pytestmark = pytest.mark.django_db

OUR_FONTS = "smeqa-static:///vendor/uswds/fonts/"
HOSTILE = [
    "<img src=file:///etc/passwd>",
    "@import url(http://169.254.169.254/);",
    "<link rel=stylesheet href=http://169.254.169.254/>",
    "<link rel=attachment href=file:///etc/hostname>",
    "<a rel=attachment href=file:///etc/passwd>resume</a>",
    "<style>@import 'file:///etc/passwd';</style>",
    "<object data=http://169.254.169.254/latest/meta-data/></object>",
    "<svg><image href=http://169.254.169.254/x.png /></svg>",
    "background: url(file:///etc/shadow)",
    "</td></tr></table><img src=http://169.254.169.254/latest/meta-data/iam/>",
    "{{ certificate.number }} {% debug %}",
]


class Sightings:
    """Every URL asked for and every connection tried while spying, from any process, in order."""

    def __init__(self, path) -> None:
        self.path = path
        path.write_text("")

    def add(self, kind: str, what: object) -> None:
        flat = " ".join(str(what).split("\n")).replace("\t", " ")
        line = f"{kind}\t{flat}\n".encode("utf-8", "backslashreplace")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def of(self, kind: str) -> list[str]:
        rows = (line.split("\t", 1) for line in self.path.read_text().splitlines())
        return [what for seen, what in rows if seen == kind]


@pytest.fixture
def sightings(tmp_path, monkeypatch):
    seen = Sightings(tmp_path / "sightings.txt")
    called = URLFetcher.__call__

    def fetcher_called(self, url):
        seen.add("url", url)
        return called(self, url)

    def urllib_opened(self, url, *args, **kwargs):
        seen.add("urllib", getattr(url, "full_url", url))
        raise AssertionError("nothing may be opened through urllib while a certificate is drawn")

    def socket_connected(self, address):
        seen.add("socket", address)
        raise AssertionError("nothing may connect while a certificate is drawn")

    monkeypatch.setattr(URLFetcher, "__call__", fetcher_called)
    # Our fetcher overrides `open`, so this sees only another fetcher or a stray urllib call.
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", urllib_opened)
    monkeypatch.setattr(socket.socket, "connect", socket_connected)
    return seen


def _hostile_certificate(copies: int = 1):
    """An issued certificate with every hostile string as an applicant's name (`copies` times over, spread
    through the list), in a correction note, and in the details HR typed (title, duty location, issuer)."""
    issuer = StaffFactory(full_name="Pat <img src=http://169.254.169.254/sig.png> Official")
    certificate = CertificateFactory(
        title="IT Specialist <link rel=stylesheet href=http://169.254.169.254/t.css>",
        duty_location='Washington, DC"><img src=file:///etc/passwd>',
        issued_by=issuer,
    )
    certificate.agency.name = "Agency <style>@import url(http://169.254.169.254/a.css);</style>"
    certificate.agency.save()
    rank = 0
    for _copy in range(copies):
        for name in HOSTILE:
            for _filler in range(10):
                rank += 1
                EntryFactory(certificate=certificate, rank=rank, name=f"Applicant {rank:04d} Lindqvist")
            rank += 1
            EntryFactory(certificate=certificate, rank=rank, name=name)
    CorrectionFactory(certificate=certificate, note="\n".join(HOSTILE), made_by=issuer)
    return certificate


def _text(data: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _embedded_files(data: bytes) -> list[str]:
    """Everything in the PDF that carries or points at a file: the /EmbeddedFiles name tree, associated
    files (/AF), file specifications, embedded file streams and file-attachment annotations."""
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    found = []
    if "/EmbeddedFiles" in root.get("/Names", {}):
        found.append("/Names /EmbeddedFiles")
    if "/AF" in root:
        found.append("catalog /AF")
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if not isinstance(obj, DictionaryObject):
            continue
        if obj.get("/Type") in {"/EmbeddedFile", "/Filespec"} or "/EF" in obj:
            found.append(f"object {number}: {obj.get('/Type')}")
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []) or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                found.append(f"page {index + 1}: file attachment")
    return found


def test_hostile_names_and_notes_fetch_nothing_but_our_fonts_embed_nothing_and_print_as_text(sightings):
    certificate = _hostile_certificate(copies=2)
    fetcher = pdf.StaticFilesFetcher()

    # One page a part: several parts, so forked children draw hostile names too.
    data = pdf.render_certificate_pdf(certificate, url_fetcher=fetcher, part_pages=1)

    urls = sightings.of("url")
    assert urls, "the spy saw no fetch at all, not even our fonts"
    outside = [url for url in urls if not (url.startswith(OUR_FONTS) and url.endswith(".ttf"))]
    assert outside == []
    assert sightings.of("urllib") == []
    assert sightings.of("socket") == []
    assert fetcher.refused == []
    assert sorted(fetcher.requested) == sorted(urls)
    assert _embedded_files(data) == []
    text = _text(data)
    for hostile in HOSTILE:
        assert _squeezed(hostile) in text
    correction = certificate.corrections.get()
    assert correction.note.splitlines() == HOSTILE
    for detail in (certificate.title, certificate.duty_location, certificate.issued_by.full_name):
        assert _squeezed(detail) in text
    assert Entry.objects.filter(certificate=certificate).count() == 2 * 11 * len(HOSTILE)


def test_the_spy_sees_a_fetch_outside_our_fonts(sightings):
    """The control: had hostile text become markup, the test above would have seen its URLs."""
    fetcher = pdf.StaticFilesFetcher()
    html = '<html lang="en"><head><title>x</title></head><body><img src="file:///etc/passwd" alt="x"></body></html>'

    with pytest.raises(pdf.CertificatePdfError):
        pdf.write_pdf(html, url_fetcher=fetcher)

    assert sightings.of("url") == ["file:///etc/passwd"]
    assert fetcher.refused == ["file:///etc/passwd"]
