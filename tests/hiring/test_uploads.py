"""Upload checks for PDFs, run against a generated corpus of clean and hostile files: no database."""

import hashlib
import io

import pytest
from pypdf import PdfReader

from hiring import uploads
from hiring.uploads import MAX_UPLOAD_BYTES, CheckedPdf, check_pdf, first_pages, pages_note
from smeqa.errors import DomainError

from .. import hostile_uploads as corpus

# Words the candidate must see for each hostile file: what is wrong, in plain language.
EXPECTED_WORDS = {
    "zero_bytes": ["empty"],
    "not_pdf_text": ["plain text", "not a PDF"],
    "renamed_zip": ["ZIP file", "not a PDF"],
    "renamed_docx": ["Word document", "not a PDF"],
    "renamed_exe": ["program", "not a PDF"],
    "renamed_png": ["image", "not a PDF"],
    "html_page": ["web page", "not a PDF"],
    "zip_pdf_polyglot": ["ZIP file", "not a PDF"],
    "pdf_with_javascript": ["JavaScript"],
    "pdf_with_openaction": ["automatically", "opened"],
    "pdf_with_page_action": ["automatically"],
    "pdf_with_launch": ["start other programs"],
    "pdf_with_embedded_file": ["embedded file"],
    "pdf_with_file_attachment_annotation": ["embedded file"],
    "pdf_with_rich_media": ["video or Flash"],
    "pdf_with_xfa": ["XFA form"],
    "encrypted_pdf": ["password"],
    "owner_password_pdf": ["password"],
    "aes_encrypted_pdf": ["password"],
    "oversized_pdf": ["10.1 MB", "10 MB or smaller"],
    "decompression_bomb": ["too large when opened"],
    "double_flate_bomb": ["too large when opened"],
    "broken_xref_pdf": ["damaged"],
    "bad_startxref_pdf": ["damaged"],
    "looping_xref_pdf": ["damaged"],
    "looping_xref_stream_pdf": ["damaged"],
    "truncated_pdf": ["damaged"],
    "no_pages_pdf": ["no pages"],
    "pdf_with_javascript_in_object_stream": ["JavaScript"],
    "pdf_with_escaped_javascript": ["JavaScript"],
    "pdf_with_unlisted_javascript": ["JavaScript"],
}


# Issue 8's hostile-input list: each kind, the corpus file that is it, and a look at the bytes proving the
# file really is that kind (so a builder that quietly made a clean file cannot pass as refused).
REQUIRED_KINDS = {
    "renamed ZIP": ("renamed_zip", lambda data: data.startswith(b"PK\x03\x04")),
    "renamed EXE": ("renamed_exe", lambda data: data.startswith(b"MZ")),
    "PDF with JavaScript": ("pdf_with_javascript", lambda data: b"/JavaScript" in data),
    "PDF with OpenAction": ("pdf_with_openaction", lambda data: b"/OpenAction" in data),
    "PDF with Launch": ("pdf_with_launch", lambda data: b"/Launch" in data),
    "PDF with an embedded file": ("pdf_with_embedded_file", lambda data: b"/EmbeddedFiles" in data),
    "encrypted PDF": ("encrypted_pdf", lambda data: PdfReader(io.BytesIO(data)).is_encrypted),
    "PDF over 10 MB": ("oversized_pdf", lambda data: len(data) > MAX_UPLOAD_BYTES),
    "decompression bomb": (
        "decompression_bomb",
        lambda data: len(data) < 2 * 1024 * 1024 and _inflates_past(data, uploads.MAX_OPENED_BYTES),
    ),
    "broken xref": ("broken_xref_pdf", lambda data: b"\nxref\n" in data),
    "looping xref": ("looping_xref_pdf", lambda data: b"/Prev" in data),
    "zero bytes": ("zero_bytes", lambda data: data == b""),
}


def _inflates_past(data: bytes, limit: int) -> bool:
    """Whether the Flate stream in `data` opens to more than `limit` bytes (counted, not kept)."""
    start = data.index(b"stream\n") + len(b"stream\n")
    return uploads._inflated_size(data[start:], limit) > limit


def refusal(data: bytes, *, field: str = "resume", label: str = "Resume") -> DomainError:
    with pytest.raises(DomainError) as refused:
        check_pdf(data, field=field, label=label)
    return refused.value


def test_every_hostile_file_has_expected_words():
    assert set(EXPECTED_WORDS) == set(corpus.HOSTILE)


@pytest.mark.parametrize("name", sorted(corpus.HOSTILE))
def test_hostile_file_is_refused_with_a_plain_reason(name):
    error = refusal(corpus.HOSTILE[name]())

    assert error.field == "resume"
    for words in EXPECTED_WORDS[name]:
        assert words in error.message
    # Every message says what to do next, not only what is wrong.
    assert any(verb in error.message for verb in ("upload it again", "upload that"))


@pytest.mark.parametrize("kind", sorted(REQUIRED_KINDS))
def test_corpus_holds_each_required_kind_and_it_is_refused(kind):
    name, is_that_kind = REQUIRED_KINDS[kind]
    assert name in corpus.HOSTILE, f"the corpus has no {kind}"
    data = corpus.HOSTILE[name]()
    assert is_that_kind(data), f"{name} is not really a {kind}"

    error = refusal(data)

    assert all(words in error.message for words in EXPECTED_WORDS[name])


def test_whole_hostile_corpus_is_refused():
    accepted = []
    for name, build in corpus.HOSTILE.items():
        try:
            check_pdf(build(), field="resume", label="Resume")
        except DomainError:
            continue
        accepted.append(name)
    assert accepted == []


def test_clean_two_page_resume_passes():
    data = corpus.clean_pdf(2)

    checked = check_pdf(data, field="resume", label="Resume")

    assert checked == CheckedPdf(page_count=2, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def test_clean_resume_passes_as_a_stream_and_the_stream_is_put_back():
    stream = io.BytesIO(corpus.clean_pdf(2))

    checked = check_pdf(stream, field="resume", label="Resume")

    assert checked.page_count == 2
    assert stream.tell() == 0


@pytest.mark.parametrize("name", sorted(corpus.SAFE))
def test_safe_files_pass(name):
    """Guards against false alarms: "Node/JavaScript" in a title, an /OpenAction that only shows page 1."""
    assert check_pdf(corpus.SAFE[name](), field="resume", label="Resume").page_count >= 2


def test_long_resume_is_accepted_and_noted_not_refused():
    checked = check_pdf(corpus.long_resume(5), field="resume", label="Resume")

    assert checked.page_count == 5
    assert pages_note(checked.page_count, 2) == "Reviewers read the first 2 pages of this 5-page resume."


@pytest.mark.parametrize(
    ("page_count", "limit", "note"),
    [
        (2, 2, None),
        (1, 3, None),
        (9, None, None),
        (3, 1, "Reviewers read the first page of this 3-page resume."),
    ],
)
def test_pages_note(page_count, limit, note):
    assert pages_note(page_count, limit) == note


def test_first_pages_serves_only_the_first_pages():
    truncated = first_pages(corpus.long_resume(5), 2)

    reader = PdfReader(io.BytesIO(truncated), strict=True)
    assert len(reader.pages) == 2
    assert "Resume page 2 of 5" in reader.pages[1].extract_text()
    every_text = "".join(page.extract_text() for page in reader.pages)
    assert "Resume page 3" not in every_text
    # Later pages are not merely hidden: no page object beyond the first two is in the file.
    objects = [reader.get_object(number) for number in reader.xref[0]]
    assert sum(isinstance(o, dict) and o.get("/Type") == "/Page" for o in objects) == 2
    assert reader.metadata is None
    check_pdf(truncated, field="resume", label="Resume")


def test_first_pages_leaves_javascript_and_attachments_behind():
    for hostile in (corpus.pdf_with_javascript(), corpus.pdf_with_embedded_file(), corpus.pdf_with_launch()):
        truncated = first_pages(hostile, 1)

        assert b"/JavaScript" not in truncated
        assert b"/EmbeddedFile" not in truncated
        assert b"/Launch" not in truncated
        assert check_pdf(truncated, field="resume", label="Resume").page_count == 1


def test_first_pages_of_a_short_resume_keeps_every_page():
    assert len(PdfReader(io.BytesIO(first_pages(corpus.clean_pdf(2), 3))).pages) == 2


class OneWayStream(io.RawIOBase):
    """An upload that cannot seek and counts what was read from it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.left, 1 << 20)
        buffer[:count] = b"0" * count
        self.left -= count
        self.bytes_read += count
        return count


def test_oversized_stream_is_read_no_further_than_the_limit():
    stream = OneWayStream(50 * 1024 * 1024)

    error = refusal(stream)

    assert stream.bytes_read <= MAX_UPLOAD_BYTES + 1
    assert "larger than 10 MB" in error.message


def test_oversized_seekable_stream_is_refused_with_its_size_without_reading_it():
    stream = io.BytesIO(b"%PDF-1.7\n" + b"0" * (12 * 1024 * 1024 + 300 * 1024))
    stream.seek(0)

    error = refusal(stream)

    assert "Your resume is 12.3 MB. Files must be 10 MB or smaller." in error.message
    assert stream.tell() == 0


def test_label_and_field_name_the_document():
    error = refusal(corpus.renamed_zip(), field="dd214", label="DD-214")

    assert error.field == "dd214"
    assert (
        error.message
        == "This looks like a ZIP file, not a PDF. Save your DD-214 as a PDF and upload it again."
    )


def test_too_many_objects_is_refused_as_too_complex(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PARTS", 10)

    assert "too complex" in refusal(corpus.clean_pdf(2)).message
