"""A corpus of uploads built on demand, so no binaries are committed: clean resumes and hostile files.

Each function returns the bytes of one file. Clean resumes are rendered by WeasyPrint (about 0.1 s a
render after a 1 s import) and cached; the hostile files are edits of a clean resume made with pypdf,
or small PDFs written byte by byte where pypdf would not write what we need (bombs, broken xrefs,
objects hidden from the cross-reference table).
"""

import functools
import io
import zipfile
import zlib
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from weasyprint import HTML

from hiring.uploads import MAX_UPLOAD_BYTES

_JOB = (
    "Led a team of four that moved the agency's grants system to a cloud platform, cutting monthly "
    "downtime from nine hours to under one. Wrote the security plan and briefed the authorizing official. "
)


@functools.lru_cache(maxsize=8)
def clean_pdf(pages: int = 2) -> bytes:
    """A realistic resume, `pages` pages long; page N carries the text "Resume page N of <pages>"."""
    sections = []
    for number in range(1, pages + 1):
        sections.append(
            f"""<section>
              <h2>Work experience, continued</h2>
              <h3>IT Specialist (INFOSEC), GS-2210-12, Department of the Interior</h3>
              <p class="when">March {2024 - number} to present, 40 hours a week</p>
              <p>{_JOB * 3}</p>
              <p class="marker">Resume page {number} of {pages}</p>
            </section>"""
        )
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Resume</title>
      <style>
        @page {{ size: letter; margin: 0.75in; }}
        body {{ font-family: sans-serif; font-size: 11pt; }}
        section {{ break-after: page; }}
        section:last-child {{ break-after: auto; }}
      </style></head><body>
      <h1>Jane Q. Candidate</h1>
      <p>Denver, CO · jane.candidate@example.com · (555) 010-0199</p>
      {"".join(sections)}
    </body></html>"""
    return HTML(string=html).write_pdf()


def long_resume(pages: int = 5) -> bytes:
    """A resume longer than a two-page review limit."""
    return clean_pdf(pages)


def zero_bytes() -> bytes:
    """An empty file."""
    return b""


def not_pdf_text() -> bytes:
    """A plain text resume saved with a .pdf name."""
    return b"Jane Q. Candidate\nIT Specialist (INFOSEC), GS-2210-12\n" + _JOB.encode() * 5


def renamed_zip() -> bytes:
    """A ZIP archive renamed to .pdf."""
    return _zip({"resume.txt": _JOB.encode()})


def renamed_docx() -> bytes:
    """A Word document renamed to .pdf."""
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def renamed_exe() -> bytes:
    """A Windows program renamed to .pdf."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS mode.\r\n"
    )


def renamed_png() -> bytes:
    """A phone screenshot renamed to .pdf."""
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def html_page() -> bytes:
    """A web page saved with a .pdf name."""
    return b"<!DOCTYPE html>\n<html><body><h1>Jane Q. Candidate</h1></body></html>"


def zip_pdf_polyglot() -> bytes:
    """A ZIP archive with a PDF header inside its first 1024 bytes: both a ZIP and a PDF."""
    return renamed_zip() + clean_pdf()


def pdf_with_javascript() -> bytes:
    """A resume with document-level JavaScript (the /Names /JavaScript tree), run when it opens."""

    def edit(writer: PdfWriter) -> None:
        action = _dict(S=NameObject("/JavaScript"), JS=TextStringObject("app.alert('Hello, reviewer');"))
        tree = _dict(Names=ArrayObject([TextStringObject("hello"), writer._add_object(action)]))
        writer.root_object[NameObject("/Names")] = _dict(JavaScript=tree)

    return _edited(edit)


def pdf_with_openaction() -> bytes:
    """A resume that opens a web address as soon as it is opened."""

    def edit(writer: PdfWriter) -> None:
        writer.root_object[NameObject("/OpenAction")] = _dict(
            S=NameObject("/URI"), URI=TextStringObject("https://tracker.example.invalid/opened")
        )

    return _edited(edit)


def pdf_with_page_action() -> bytes:
    """A resume whose first page runs an additional action (/AA) when it is shown."""

    def edit(writer: PdfWriter) -> None:
        action = _dict(S=NameObject("/URI"), URI=TextStringObject("https://tracker.example.invalid/seen"))
        writer.pages[0][NameObject("/AA")] = _dict(O=action)

    return _edited(edit)


def pdf_with_launch() -> bytes:
    """A resume with a link that starts a program."""
    link = _dict(
        Type=NameObject("/Annot"),
        Subtype=NameObject("/Link"),
        Rect=_numbers(72, 72, 300, 100),
        A=_dict(S=NameObject("/Launch"), F=TextStringObject("C:\\Windows\\System32\\cmd.exe")),
    )
    return _edited(lambda writer: writer.add_annotation(page_number=0, annotation=link))


def pdf_with_embedded_file() -> bytes:
    """A resume carrying an attached program (the /Names /EmbeddedFiles tree)."""
    return _edited(lambda writer: writer.add_attachment("invoice.exe", renamed_exe()))


def pdf_with_file_attachment_annotation() -> bytes:
    """A resume with a paper-clip annotation holding a file."""

    def edit(writer: PdfWriter) -> None:
        payload = DecodedStreamObject()
        payload.set_data(b"not really notes")
        spec = _dict(
            Type=NameObject("/Filespec"),
            F=TextStringObject("notes.txt"),
            EF=_dict(F=writer._add_object(payload)),
        )
        clip = _dict(
            Type=NameObject("/Annot"),
            Subtype=NameObject("/FileAttachment"),
            Rect=_numbers(72, 72, 90, 90),
            FS=spec,
        )
        writer.add_annotation(page_number=0, annotation=clip)

    return _edited(edit)


def pdf_with_rich_media() -> bytes:
    """A resume with a Flash/video (RichMedia) annotation."""
    movie = _dict(
        Type=NameObject("/Annot"), Subtype=NameObject("/RichMedia"), Rect=_numbers(72, 72, 300, 200)
    )
    return _edited(lambda writer: writer.add_annotation(page_number=0, annotation=movie))


def pdf_with_xfa() -> bytes:
    """A form built with XFA, as some older government fillable forms are."""

    def edit(writer: PdfWriter) -> None:
        template = DecodedStreamObject()
        template.set_data(b"<template xmlns='http://www.xfa.org/schema/xfa-template/3.3/'/>")
        xfa = ArrayObject([TextStringObject("template"), writer._add_object(template)])
        writer.root_object[NameObject("/AcroForm")] = _dict(Fields=ArrayObject(), XFA=xfa)

    return _edited(edit)


def encrypted_pdf() -> bytes:
    """A resume that needs a password to open."""
    return _edited(lambda writer: writer.encrypt(user_password="secret", algorithm="RC4-128"))


def owner_password_pdf() -> bytes:
    """A resume that opens without a password but is encrypted with an owner password (no printing, ...)."""
    return _edited(
        lambda writer: writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    )


def aes_encrypted_pdf() -> bytes:
    """A PDF encrypted with AES-256, as Word and Acrobat do; pypdf cannot open it without `cryptography`."""
    key = b"<" + b"00" * 48 + b">"
    encrypt = (
        b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /StmF /StdCF /StrF /StdCF"
        b" /CF << /StdCF << /AuthEvent /DocOpen /CFM /AESV3 /Length 32 >> >>"
        b" /O %s /U %s /OE <%s> /UE <%s> /Perms <%s> >>" % (key, key, b"00" * 32, b"00" * 32, b"00" * 16)
    )
    data = _simple_pdf(_stream(b"", _CONTENT), extra={6: encrypt})
    file_id = b"<00112233445566778899aabbccddeeff>"
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt 6 0 R /ID [%s %s] >>" % (file_id, file_id))


def oversized_pdf() -> bytes:
    """A valid one-page PDF just over 10 MB, made big by an uncompressed content stream."""
    padding = b"0 0 m\n" * ((MAX_UPLOAD_BYTES // 6) + 200)
    return _simple_pdf(_stream(b"", padding))


def decompression_bomb() -> bytes:
    """A one-page PDF whose content stream is 1 GiB of zeros squeezed into about 1 MB with Flate."""
    return _simple_pdf(_stream(b"/Filter /FlateDecode", _zeros_deflated(1024)))


def double_flate_bomb() -> bytes:
    """The same bomb compressed twice (/Filter [/FlateDecode /FlateDecode]): about 3 KB on disk."""
    twice = zlib.compress(_zeros_deflated(1024), 9)
    return _simple_pdf(_stream(b"/Filter [/FlateDecode /FlateDecode]", twice))


def broken_xref_pdf() -> bytes:
    """A clean resume whose cross-reference offsets all point 7 bytes past their objects."""
    data = _edited(lambda writer: None)
    xref_at = data.rindex(b"\nxref\n") + 1
    table = data[xref_at:]
    shifted = b"\n".join(
        b"%010d %s" % (int(line[:10]) + 7, line[11:]) if line.endswith((b" n", b" n ")) else line
        for line in table.split(b"\n")
    )
    assert shifted != table
    return data[:xref_at] + shifted


def bad_startxref_pdf() -> bytes:
    """A clean resume whose startxref points into the middle of a stream."""
    data = _edited(lambda writer: None)
    head, _, _ = data.rpartition(b"startxref\n")
    return head + b"startxref\n%d\n%%%%EOF\n" % (len(head) // 2)


def looping_xref_pdf() -> bytes:
    """A resume whose trailer's /Prev points back at its own cross-reference table: a loop."""
    data = _simple_pdf(_stream(b"", _CONTENT))
    xref_at = data.rindex(b"\nxref\n") + 1
    return data.replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Prev %d >>" % xref_at)


def looping_xref_stream_pdf() -> bytes:
    """The same loop in a PDF 1.5 cross-reference stream (its /Prev is its own offset)."""
    data = _assemble_packed(
        {2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: _PAGE, 4: _stream(b"", _CONTENT), 5: _FONT},
        {1: b"<< /Type /Catalog /Pages 2 0 R >>"},
        root=1,
    )
    xref_at = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    return data.replace(b"/Type /XRef", b"/Prev %d /Type /XRef" % xref_at)


def truncated_pdf() -> bytes:
    """A resume cut off halfway, as an interrupted download leaves it."""
    data = clean_pdf()
    return data[: len(data) // 2]


def no_pages_pdf() -> bytes:
    """A well-formed PDF with an empty page tree."""
    return _assemble(
        {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [] /Count 0 >>"},
        root=1,
    )


def pdf_with_javascript_in_object_stream() -> bytes:
    """JavaScript packed in a compressed object stream, where a scan of the raw bytes cannot see it."""
    plain = {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _PAGE,
        4: _stream(b"", _CONTENT),
        5: _FONT,
    }
    packed = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(hello) 6 0 R] >> >> >>",
        6: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    }
    return _assemble_packed(plain, packed, root=1)


def pdf_with_escaped_javascript() -> bytes:
    """JavaScript under names spelt with #xx escapes (/J#61vaScript is /JavaScript)."""
    return _simple_pdf(
        _stream(b"", _CONTENT),
        catalog_extra=b"/Names << /J#61vaScript << /Names [(x) 6 0 R] >> >>",
        extra={6: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"},
    )


def pdf_with_unlisted_javascript() -> bytes:
    """A clean PDF plus a JavaScript action the cross-reference table does not list (escaped names)."""
    return _simple_pdf(
        _stream(b"", _CONTENT),
        unlisted=b"9 0 obj\n<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>\nendobj\n",
    )


def resume_with_tech_title() -> bytes:
    """Safe: document info that mentions JavaScript in its text, which must not be mistaken for code."""

    def edit(writer: PdfWriter) -> None:
        writer.add_metadata(
            {
                "/Title": "Jane Q. Candidate – Node/JavaScript developer",
                "/Keywords": "Python/JS/XFA/Launch/EmbeddedFiles",
            }
        )

    return _edited(edit)


def resume_with_incremental_update() -> bytes:
    """Safe: a resume saved twice, the second time as an incremental update (a /Prev chain of two)."""
    writer = PdfWriter(io.BytesIO(clean_pdf()), incremental=True)
    writer.add_metadata({"/Title": "Jane Q. Candidate, updated"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def resume_opening_at_first_page() -> bytes:
    """Safe: /OpenAction holding a destination (first page, fit to window), as LaTeX writes it."""

    def edit(writer: PdfWriter) -> None:
        page = writer.pages[0].indirect_reference
        writer.root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])

    return _edited(edit)


def resume_opening_with_goto_action() -> bytes:
    """Safe: /OpenAction holding a GoTo action to page 1, as pdfTeX with hyperref writes it."""

    def edit(writer: PdfWriter) -> None:
        page = writer.pages[0].indirect_reference
        goto = _dict(S=NameObject("/GoTo"), D=ArrayObject([page, NameObject("/Fit")]))
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(goto)

    return _edited(edit)


HOSTILE: dict[str, Callable[[], bytes]] = {
    function.__name__: function
    for function in (
        zero_bytes,
        not_pdf_text,
        renamed_zip,
        renamed_docx,
        renamed_exe,
        renamed_png,
        html_page,
        zip_pdf_polyglot,
        pdf_with_javascript,
        pdf_with_openaction,
        pdf_with_page_action,
        pdf_with_launch,
        pdf_with_embedded_file,
        pdf_with_file_attachment_annotation,
        pdf_with_rich_media,
        pdf_with_xfa,
        encrypted_pdf,
        owner_password_pdf,
        aes_encrypted_pdf,
        oversized_pdf,
        decompression_bomb,
        double_flate_bomb,
        broken_xref_pdf,
        bad_startxref_pdf,
        looping_xref_pdf,
        looping_xref_stream_pdf,
        truncated_pdf,
        no_pages_pdf,
        pdf_with_javascript_in_object_stream,
        pdf_with_escaped_javascript,
        pdf_with_unlisted_javascript,
    )
}

SAFE: dict[str, Callable[[], bytes]] = {
    function.__name__: function
    for function in (
        clean_pdf,
        long_resume,
        resume_with_tech_title,
        resume_with_incremental_update,
        resume_opening_at_first_page,
        resume_opening_with_goto_action,
    )
}


# Building blocks.

_CONTENT = b"BT /F1 18 Tf 72 720 Td (Jane Q. Candidate) Tj ET"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _edited(edit: Callable[[PdfWriter], object]) -> bytes:
    """The clean two-page resume, rewritten by pypdf after `edit` has changed it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(clean_pdf())))
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _dict(**entries: object) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{key}"): value for key, value in entries.items()})


def _numbers(*values: int) -> ArrayObject:
    return ArrayObject(NumberObject(value) for value in values)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def _zeros_deflated(mebibytes: int) -> bytes:
    """A zlib stream of `mebibytes` MiB of zeros, built in milliseconds instead of compressing it all.

    After a full flush a deflate compressor starts afresh, so each further MiB of zeros compresses to
    the same bytes; repeat them and finish with the Adler-32 of n zeros (a = 1, b = n mod 65521).
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush()
    adler = ((mebibytes << 20) % 65521) << 16 | 1
    return b"\x78\xda" + block * mebibytes + final + adler.to_bytes(4, "big")


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def _simple_pdf(
    contents: bytes,
    *,
    catalog_extra: bytes = b"",
    extra: dict[int, bytes] | None = None,
    unlisted: bytes = b"",
) -> bytes:
    """A one-page PDF with the given content stream object (4 0 obj)."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: _PAGE,
        4: contents,
        5: _FONT,
        **(extra or {}),
    }
    return _assemble(objects, root=1, unlisted=unlisted)


def _assemble(objects: dict[int, bytes], *, root: int, unlisted: bytes = b"") -> bytes:
    """A PDF with a classic cross-reference table; `unlisted` goes in the body but not in the table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    out += unlisted
    size = max(objects) + 1
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 00000 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref_at)
    return bytes(out)


def _assemble_packed(plain: dict[int, bytes], packed: dict[int, bytes], *, root: int) -> bytes:
    """A PDF 1.5 file: `packed` objects inside one Flate object stream, found through an xref stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 0xFFFF)}
    for number, body in sorted(plain.items()):
        entries[number] = (1, len(out), 0)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    object_stream_number = max(plain | packed) + 1
    header, bodies = b"", b""
    for index, (number, body) in enumerate(sorted(packed.items())):
        header += b"%d %d " % (number, len(bodies))
        bodies += body + b"\n"
        entries[number] = (2, object_stream_number, index)
    data = zlib.compress(header + bodies)
    entries[object_stream_number] = (1, len(out), 0)
    out += b"%d 0 obj\n%s\nendobj\n" % (
        object_stream_number,
        _stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(packed), len(header)), data),
    )
    xref_number = object_stream_number + 1
    entries[xref_number] = (1, len(out), 0)
    rows = b"".join(
        kind.to_bytes(1, "big") + field.to_bytes(4, "big") + generation.to_bytes(2, "big")
        for kind, field, generation in (entries[number] for number in range(xref_number + 1))
    )
    xref_at = len(out)
    out += b"%d 0 obj\n%s\nendobj\n" % (
        xref_number,
        _stream(
            b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Filter /FlateDecode" % (xref_number + 1, root),
            zlib.compress(rows),
        ),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
