"""The certificate PDF (certificates/pdf.py, pdf_parts.py, pdf_join.py): names in rank order, PDF/UA-1
tagging, a long certificate drawn in parts by two processes and joined with the right page numbers,
hostile text that never fetches anything, the static-files-only fetcher, and the task that stores it."""

import io
import os
import re
from datetime import date

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from certificates import pdf, pdf_join, pdf_parts
from certificates.models import Certificate, Correction, Entry
from certificates.tasks import certificate_pdf_render
from hiring.models import Role
from tests.factories import (
    ActionRoleFactory,
    AgencyFactory,
    ApplicationFactory,
    HiringActionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

PREFERENCES = ["CPS", "CP", "XP", "TP", "SSP", "NV", "NV", "NV"]
HOSTILE = [
    "<img src=file:///etc/passwd>",
    "<link rel=stylesheet href=http://169.254.169.254/>",
    "@import url(http://169.254.169.254/x.css);",
    '<style>@import "file:///etc/passwd"</style>',
]
FONTS = "smeqa-static:///vendor/uswds/fonts/"


CERTIFICATE = {
    "title": "IT Specialist (INFOSEC)",
    "series": "2210",
    "grade": 13,
    "full_performance_level": 13,
    "duty_location": "Washington, DC",
    "appointment_type": "permanent",
    "categories": ["best", "well"],
    "merged": True,
    "issued_on": date(2026, 11, 2),
    "return_by": date(2026, 12, 2),
}


def _certificate(*, names: list[str] | None = None, number: str = "DOE-2026-0001", **fields) -> Certificate:
    """A certificate of `names` (saved, one application each), issued by the action's HR."""
    action = HiringActionFactory(title="IT Specialist (INFOSEC)")
    hr = ActionRoleFactory(
        action=action, role=Role.HR, user=StaffFactory(agency=action.agency, full_name="Pat Official")
    ).user
    certificate = Certificate.objects.create(
        action=action, agency=action.agency, issued_by=hr, number=number, **(CERTIFICATE | fields)
    )
    for rank, name in enumerate(names or [], start=1):
        Entry.objects.create(
            certificate=certificate,
            application=ApplicationFactory(action=action),
            **_entry_fields(rank, name),
        )
    return certificate


def _entry_fields(rank: int, name: str) -> dict:
    return {
        "rank": rank,
        "name": name,
        "preference": PREFERENCES[rank % len(PREFERENCES)],
        "tentative": rank % 7 == 0,
        "score": 100,
        "category": "best",
        "earned_category": "best",
        "why": "Score 100 earns Best Qualified.",
    }


def _unsaved_entries(count: int) -> list[Entry]:
    """Entries for the renderer only (it accepts unsaved ones): no application rows needed."""
    return [
        Entry(**_entry_fields(rank, f"Applicant {rank:04d} Okonkwo-Lindqvist"))
        for rank in range(1, count + 1)
    ]


def _text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _in_order(text: str, names: list[str]) -> bool:
    squeezed, position = _squeezed(text), -1
    for name in names:
        found = squeezed.find(_squeezed(name), position + 1)
        if found < 0:
            return False
        position = found
    return True


def _rows_per_page(data: bytes) -> list[int]:
    return [len(re.findall(r"Applicant \d{4} Okonkwo-Lindqvist", page)) for page in _text(data)]


def _check_structure(data: bytes) -> PdfReader:
    """The joined structure tree holds together: every element's /P is its parent, every /Pg a page of
    the document, each page's /StructParents key lists exactly the marked content on that page, header
    IDs are unique and all in the /IDTree, and every TH has a /Scope."""
    reader = PdfReader(io.BytesIO(data), strict=True)
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    nums = tree["/ParentTree"]["/Nums"]
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    pages = {page.indirect_reference.idnum for page in reader.pages}
    ids, scopes = set(), set()
    stack = [(tree.raw_get("/K")[0], tree.indirect_reference)]
    while stack:
        reference, parent = stack.pop()
        element = reference.get_object()
        assert element.raw_get("/P").idnum == parent.idnum
        if "/Pg" in element:
            assert element.raw_get("/Pg").idnum in pages
        if element["/S"] == "/TH":
            scopes.add(element["/A"]["/Scope"])
            if "/ID" in element:
                assert str(element["/ID"]) not in ids
                ids.add(str(element["/ID"]))
        for kid in element.get("/K", []):
            if isinstance(kid, IndirectObject) and kid.get_object().get("/Type") == "/StructElem":
                stack.append((kid, reference))
    for page in reader.pages:
        marked = re.findall(rb"/MCID (\d+)", page.get_contents().get_data())
        elements = parent_tree[page["/StructParents"]]
        assert len(elements) == len(marked) == len(set(marked))
        assert {e.get_object().raw_get("/Pg").idnum for e in elements} <= {page.indirect_reference.idnum}
    names = []
    for leaf in tree["/IDTree"]["/Kids"]:
        leaf_names = leaf.get_object()["/Names"]
        names += [str(leaf_names[i]) for i in range(0, len(leaf_names), 2)]
    assert sorted(names) == sorted(ids)
    assert scopes == {"/Column", "/Row"}
    return reader


def _all_objects(reader: PdfReader):
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if obj is not None:
            yield obj


# --- what the PDF shows --------------------------------------------------------------------------------


def test_pdf_lists_every_name_in_rank_order_with_preference_and_number():
    names = [f"Candidate {n:03d} Abernathy" for n in range(1, 31)]
    certificate = _certificate(names=names)

    data = pdf.render_certificate_pdf(certificate)

    reader = PdfReader(io.BytesIO(data))
    pages = _text(data)
    text = "\n".join(pages)
    assert len(reader.pages) > 0
    assert _in_order(text, names)
    assert "DOE-2026-0001" in text
    assert "IT Specialist (INFOSEC)" in text and "GS-13" in text and "Washington, DC" in text
    assert "Permanent" in text and "Pat Official" in text and "Best Qualified, Well Qualified" in text
    assert "merged" in text and "December 2, 2026" in text and "November 2, 2026" in text
    assert "Disposition code and date" in text
    assert "NV (tentative)" in text and "SSP (tentative)" in text  # ranks 7 and 28
    for code in ("CPS", "CP", "XP", "TP"):
        assert f"{code} Best Qualified" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert "Shared under the Competitive Service Act" not in text


def test_shared_copy_says_where_it_came_from_and_shows_the_originals_corrections():
    original = _certificate(names=["Ada Lovelace", "Grace Hopper"], number="DOE-2026-0007")
    Correction.objects.create(
        certificate=original, note="Rank 2's name corrected.", made_by=original.issued_by
    )
    copy = Certificate.objects.create(
        action=original.action, number="XYZ-2026-0001", source=original, agency=AgencyFactory(),
        issued_by=original.issued_by, **(CERTIFICATE | {"categories": ["best"], "merged": False}),
    )  # fmt: skip
    for entry in original.entries.all():
        Entry.objects.create(
            certificate=copy, application=entry.application, **_entry_fields(entry.rank, entry.name)
        )

    text = "\n".join(_text(pdf.render_certificate_pdf(copy)))

    assert "Shared under the Competitive Service Act from certificate DOE-2026-0007" in _spaced(text)
    assert "XYZ-2026-0001" in text
    assert "Rank 2's name corrected." in text
    assert _in_order(text, ["Ada Lovelace", "Grace Hopper"])


def test_pdf_declares_pdf_ua_and_is_tagged():
    certificate = _certificate(names=["Ada Lovelace", "Grace Hopper", "Katherine Johnson"])

    reader = _check_structure(pdf.render_certificate_pdf(certificate))

    root = reader.trailer["/Root"]
    metadata = root["/Metadata"].get_data().decode()
    assert 'pdfuaid:part="1"' in metadata
    assert "Certificate of Eligibles DOE-2026-0001" in metadata  # dc:title
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert [item.title for item in reader.outline if not isinstance(item, list)] == [
        "Certificate of Eligibles"
    ]


def test_running_heads_are_pagination_artifacts():
    certificate = _certificate(names=["Ada Lovelace"])
    reader = PdfReader(io.BytesIO(pdf.render_certificate_pdf(certificate)))

    content = reader.pages[0].get_contents().get_data()

    assert re.search(rb"/Artifact <</Type /Pagination>> BDC q /SmeqaHeads Do Q EMC\s*$", content)
    form = reader.pages[0]["/Resources"]["/XObject"]["/SmeqaHeads"]
    assert form["/Subtype"] == "/Form"
    assert b"MCID" not in form.get_data()


# --- long certificates: parts, processes, joining ------------------------------------------------------


def test_long_certificate_is_drawn_in_parts_by_two_processes_and_numbered_as_one(monkeypatch):
    certificate = _certificate()
    entries = _unsaved_entries(300)
    parts = pdf.plan_parts(entries, part_pages=2)
    assert len(parts) >= 3
    forks, fork = [], os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())

    data = pdf.render_certificate_pdf(certificate, entries=entries, corrections=[], workers=2, part_pages=2)

    assert len(forks) == 2  # a child drawing parts beside this process, and one drawing the running heads

    reader = _check_structure(data)
    pages = _text(data)
    assert _in_order("\n".join(pages), [entry.name for entry in entries])
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert ("Certificate of Eligibles No. DOE-2026-0001" in page) == (number > 1)
    # Each part but the last takes exactly its two pages, a later part's first page full: a part that
    # spilled onto a page of its own would mean ROWS_FIRST_PAGE or ROWS_PER_PAGE no longer fit the template.
    rows = _rows_per_page(data)
    for index, part in enumerate(parts[:-1]):
        assert rows[2 * index] + rows[2 * index + 1] == len(part)
        if index:
            assert rows[2 * index] == pdf.ROWS_PER_PAGE
    assert sum(rows) == len(entries)
    outline = reader.outline
    assert outline[0].title == "Certificate of Eligibles"
    assert [item.title for item in outline[1]] == ["Preference codes", "Disposition codes", "Certification"]


def test_rows_per_page_match_the_template():
    """One part of three pages: page 2 is a full page of one-line rows, and page 1 holds at least the rows
    plan_parts counts on it (but not many more, or parts would end with a half-empty page)."""
    certificate = _certificate()
    entries = _unsaved_entries(pdf.ROWS_FIRST_PAGE + 3 + 2 * pdf.ROWS_PER_PAGE)

    rows = _rows_per_page(
        pdf.render_certificate_pdf(certificate, entries=entries, corrections=[], part_pages=99)
    )

    assert pdf.ROWS_FIRST_PAGE <= rows[0] <= pdf.ROWS_FIRST_PAGE + 3
    assert rows[1] == pdf.ROWS_PER_PAGE


def test_parts_end_one_row_short_of_full_pages():
    entries = _unsaved_entries(500)
    parts = pdf.plan_parts(entries, part_pages=3)

    assert len(parts[0]) == pdf.ROWS_FIRST_PAGE + 2 * pdf.ROWS_PER_PAGE - 1
    assert all(len(part) == 3 * pdf.ROWS_PER_PAGE - 1 for part in parts[1:-1])
    assert [entry for part in parts for entry in part] == entries
    long_name = Entry(**_entry_fields(1, "N" * (pdf.NAME_LINE_CHARS + 1)))
    assert len(pdf.plan_parts([long_name] * 200, part_pages=1)[0]) == (pdf.ROWS_FIRST_PAGE - 1) // 2
    assert pdf.plan_parts([], part_pages=3) == [[]]


def test_a_part_failing_in_the_child_process_fails_the_whole_pdf():
    parent = os.getpid()

    def draw(html):
        if os.getpid() != parent:
            raise ValueError(f"cannot draw {html}")
        import time

        time.sleep(0.2)  # leave the child time to take a part
        return pdf_join.Part(pdf=None, pages=1)

    with pytest.raises(pdf_join.PartFailed, match="ValueError: cannot draw"):
        pdf_parts.draw_parts(["a", "b", "c", "d"], draw, workers=2)


# --- nothing is fetched but our fonts ------------------------------------------------------------------


def test_hostile_names_and_notes_fetch_nothing_embed_nothing_and_print_literally():
    certificate = _certificate(
        duty_location='Washington, DC"><link rel=stylesheet href=http://169.254.169.254/a>'
    )
    Correction.objects.create(certificate=certificate, note=" ".join(HOSTILE), made_by=certificate.issued_by)
    # Hostile names in every part, so the forked child draws some of them too.
    entries = _unsaved_entries(150)
    for index, name in enumerate(HOSTILE):
        entries[index * 40].name = name
    fetcher = pdf.StaticFilesFetcher()

    data = pdf.render_certificate_pdf(certificate, entries=entries, url_fetcher=fetcher, part_pages=1)

    assert fetcher.refused == []
    assert fetcher.requested and all(
        url.startswith(FONTS) and url.endswith(".ttf") for url in fetcher.requested
    )
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert "/AF" not in root
    for obj in _all_objects(reader):
        if isinstance(obj, DictionaryObject):
            assert obj.get("/Type") not in {"/EmbeddedFile", "/Filespec"}
            assert obj.get("/Subtype") not in {"/FileAttachment", "/Link"}
            assert "/JS" not in obj and "/URI" not in obj
    text = "\n".join(_text(data))
    for name in HOSTILE:
        assert _squeezed(name) in _squeezed(text)
    assert _in_order(text, [entry.name for entry in entries])
    assert _squeezed('Washington, DC"><link rel=stylesheet href=http://169.254.169.254/a>') in _squeezed(text)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/",
        "https://example.com/font.ttf",
        "data:font/ttf;base64,AAAA",
        "ftp://169.254.169.254/x.ttf",
        "smeqa-static:///../../../etc/passwd",
        "smeqa-static:///vendor/../../../../etc/hosts.ttf",
        "smeqa-static:///vendor/uswds/fonts/public-sans/%2e%2e/PublicSans-Regular.ttf",
        "smeqa-static://169.254.169.254/vendor/uswds/fonts/public-sans/PublicSans-Regular.ttf",
        "smeqa-static:///css/smeqa.css",
        "smeqa-static:///vendor/uswds/fonts/public-sans/PublicSans-Regular.ttf?x=1",
        "smeqa-static:///vendor/uswds/fonts/no-such-font.ttf",
        "/etc/passwd",
    ],
)
def test_fetcher_refuses_everything_but_our_fonts(url):
    fetcher = pdf.StaticFilesFetcher()

    with pytest.raises(pdf.FetchRefused):
        fetcher(url)
    with pytest.raises(pdf.FetchRefused):
        fetcher.open(url)

    assert fetcher.refused == [url, url]


def test_fetcher_reads_our_font():
    response = pdf.StaticFilesFetcher()(FONTS + "public-sans/PublicSans-Regular.ttf")

    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()


def test_a_page_asking_for_anything_else_is_not_drawn():
    fetcher = pdf.StaticFilesFetcher()
    html = (
        '<html lang="en"><head><title>x</title><link rel="stylesheet" href="http://169.254.169.254/x.css">'
        '</head><body><img src="file:///etc/passwd" alt="x"></body></html>'
    )

    with pytest.raises(pdf.CertificatePdfError, match=re.escape("169.254.169.254")):
        pdf.write_pdf(html, url_fetcher=fetcher)

    assert fetcher.refused == ["http://169.254.169.254/x.css"]


# --- storing, through the task ---------------------------------------------------------------------------


def test_task_stores_the_pdf_and_running_it_twice_is_harmless():
    certificate = _certificate(names=["Ada Lovelace", "Grace Hopper"], number="DOE-2026-0042")

    assert certificate_pdf_render.delay(certificate.pk).get() is True

    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.Pdf.READY
    assert certificate.pdf_error == ""
    assert certificate.pdf.name == "certificates/DOE-2026-0042.pdf"
    with certificate.pdf.open("rb") as stored:
        assert _in_order("\n".join(_text(stored.read())), ["Ada Lovelace", "Grace Hopper"])
    files = default_storage.listdir("certificates")[1]

    assert certificate_pdf_render.delay(certificate.pk).get() is False

    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.Pdf.READY
    assert certificate.pdf.name == "certificates/DOE-2026-0042.pdf"
    assert default_storage.listdir("certificates")[1] == files


def test_drawing_again_replaces_the_file_under_the_same_name():
    certificate = _certificate(names=["Ada Lovelace"], number="DOE-2026-0043")
    assert pdf.certificate_pdf_store(certificate.pk) is True
    Entry.objects.filter(certificate=certificate).update(disposition="A", disposition_on=date(2026, 11, 20))
    Certificate.objects.filter(pk=certificate.pk).update(pdf_state=Certificate.Pdf.PENDING)

    assert pdf.certificate_pdf_store(certificate.pk) is True

    certificate.refresh_from_db()
    assert certificate.pdf.name == "certificates/DOE-2026-0043.pdf"
    with certificate.pdf.open("rb") as stored:
        assert "A 11/20/2026" in "\n".join(_text(stored.read()))
    assert [f for f in default_storage.listdir("certificates")[1] if f.startswith("DOE-2026-0043")] == [
        "DOE-2026-0043.pdf"
    ]


def test_a_change_while_drawing_is_drawn_again(monkeypatch):
    certificate = _certificate(names=["Ada Lovelace"], number="DOE-2026-0044")
    render, calls = pdf.render_certificate_pdf, []

    def render_while_someone_records_a_disposition(cert, **kwargs):
        calls.append(cert.pk)
        if len(calls) == 1:
            Entry.objects.filter(certificate=cert).update(disposition="D", disposition_on=date(2026, 11, 21))
        return render(cert, **kwargs)

    monkeypatch.setattr(pdf, "render_certificate_pdf", render_while_someone_records_a_disposition)

    assert pdf.certificate_pdf_store(certificate.pk) is True

    assert len(calls) == 2
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as stored:
        assert "D 11/21/2026" in "\n".join(_text(stored.read()))


def test_a_failure_is_recorded_and_the_task_does_not_store(monkeypatch):
    certificate = _certificate(names=["Ada Lovelace"], number="DOE-2026-0045")

    def broken(cert, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(pdf, "render_certificate_pdf", broken)

    with pytest.raises(pdf.CertificatePdfError, match="disk on fire"):
        pdf.certificate_pdf_store(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.Pdf.FAILED
    assert certificate.pdf_error == "OSError: disk on fire"
    assert not certificate.pdf

    assert certificate_pdf_render.delay(certificate.pk).get() is False  # eager: no retry loop in-process

    monkeypatch.undo()
    assert certificate_pdf_render.delay(certificate.pk).get() is True
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.Pdf.READY and certificate.pdf_error == ""
