"""Server-side checks on uploaded PDFs (resumes, DD-214, SF-15, VA letters, SF-50), and the page-limit helpers.

Pure Python: bytes in, a CheckedPdf or a DomainError out. No database, nothing written to disk.

What a file must be to pass: a PDF by its content (not its name), at most 10 MB, readable by pypdf in
strict mode with a cross-reference table that points at the objects it names (and a chain of tables
that does not loop), not password protected, free of active content (JavaScript, automatic actions,
program launches, embedded files, rich media, XFA forms), no larger than 256 MB once its compressed
streams are opened, and at least one page long.

Two passes look for active content. The primary one reads every object listed in the cross-reference
data, including objects packed inside compressed object streams, where a scan of the raw bytes sees
nothing. The second scans the raw bytes outside strings, comments and stream bodies, to catch plain
objects the cross-reference data does not list (a viewer that rebuilds a damaged file could still
find them). It skips strings so that a title such as "Node/JavaScript developer" is not mistaken for
code, and stream bodies because compressed data and XML metadata produce false matches.
"""

import hashlib
import io
import math
import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from pypdf import PdfReader, PdfWriter
from pypdf.errors import LimitReachedError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode, FlateDecode, LZWDecode, RunLengthDecode
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    read_object,
)

from smeqa.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A 300 dpi colour page scanned without JPEG opens to about 25 MB, so 256 MB leaves room for about ten
# such pages. Decompression bombs open to gigabytes. A ratio limit does not work: a blank scanned page
# compresses about 1000:1, the most zlib can do, exactly like a bomb.
MAX_OPENED_BYTES = 256 * 1024 * 1024
# Objects, dictionaries and arrays looked at. A two-page resume has about a hundred.
MAX_PARTS = 200_000

_MB = 1024 * 1024
_HEADER_WINDOW = 1024  # PDF readers accept the %PDF- header anywhere in the first 1024 bytes.
_INFLATE_INPUT_STEP = 64 * 1024
_INFLATE_OUTPUT_STEP = 1024 * 1024

_MESSAGES = {
    "damaged": "We could not read your {noun}: the PDF file is damaged. Open it, save it again as a new PDF (for example with “Print to PDF”), and upload that copy.",
    "encrypted": "Your {noun} is protected with a password or security settings. Remove the password (save a copy without it), and upload that copy.",
    "too_complex": "Your {noun} is too complex for us to check safely. Use “Print to PDF” to make a simpler copy, and upload that.",
    "too_large_opened": "Your {noun} is too large when opened: its contents expand to more than 256 MB. Save a smaller PDF (for example, scan at a lower resolution) and upload it again.",
    "no_pages": "Your {noun} has no pages. Check that you chose the right file and upload it again.",
}
# Active content, worded to follow "Your resume ..."; the message goes on to say how to make a plain copy.
_RISKS = {
    "javascript": "contains JavaScript (code that runs when the file is opened)",
    "auto_action": "is set to run an action automatically when it is opened",
    "launch": "tries to start other programs",
    "embedded_file": "contains an embedded file (a file attached inside the PDF)",
    "rich_media": "contains embedded media such as video or Flash",
    "xfa": "is an XFA form, a kind of fillable form we cannot check",
}
_RISK_MESSAGE = (
    "Your {noun} {risk}. For safety we accept only plain PDFs. "
    "Use “Print to PDF” (or “Save as PDF”) to make a plain copy, and upload that."
)

# Dictionary keys and name values that mark active content, as pypdf reads them (#xx escapes decoded).
_RISKY_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # also the document's JavaScript name tree (/Names /JavaScript)
    "/AA": "auto_action",  # additional actions: run on open, close, page view, mouse over, ...
    "/EmbeddedFiles": "embedded_file",
    "/EF": "embedded_file",  # a file specification carrying the file itself
    "/XFA": "xfa",
    "/RichMediaContent": "rich_media",
    "/RichMediaSettings": "rich_media",
}
_RISKY_NAMES = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded_file",
    "/FileAttachment": "embedded_file",
    "/RichMedia": "rich_media",
}

_DELIMITER = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|\Z)"
# /OpenAction is left to the object walk: pdfTeX writes a harmless << /S /GoTo /D [page /Fit] >> there.
_RAW_RISKY = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia\w*|XFA)" + _DELIMITER)
_RAW_ESCAPED_NAME = re.compile(
    rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*#[0-9A-Fa-f]{2}[^\x00\t\n\x0c\r ()<>\[\]{}/%]*"
)
# What the raw scan cuts out. One pass in C; each alternative is linear, so hostile input cannot make it slow.
# A string nested deeper than one level, or an unclosed one, stays in and is scanned: more caution, not less.
_RAW_SKIP = re.compile(
    rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"  # literal string
    rb"|%[^\r\n]*"  # comment
    rb"|(?<!<)<(?!<)[^>]*>?"  # hex string, not the << of a dictionary
    rb"|(?<![A-Za-z])stream(?:\r\n|\n|\r)(?:.*?endstream|.*)",  # stream body
    re.DOTALL,
)
_OBJECT_HEADER = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_XREF_TABLE = re.compile(rb"\s*xref\b")
_TRAILER = re.compile(rb"trailer\b")
_PDF_WHITESPACE = re.compile(rb"[\x00\t\n\x0c\r ]*")
_ENCRYPT_NAME = re.compile(rb"/Encrypt" + _DELIMITER)

_FILTER_ABBREVIATIONS = {
    "/Fl": "/FlateDecode",
    "/LZW": "/LZWDecode",
    "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode",
    "/RL": "/RunLengthDecode",
    "/CCF": "/CCITTFaxDecode",
    "/DCT": "/DCTDecode",
}
# The viewer turns these into pixels; their output is an image, not more PDF to open.
_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
_SHRINKING_FILTERS = {"/ASCIIHexDecode", "/ASCII85Decode"}
_DECODERS = {
    "/FlateDecode": FlateDecode,
    "/LZWDecode": LZWDecode,
    "/ASCIIHexDecode": ASCIIHexDecode,
    "/ASCII85Decode": ASCII85Decode,
    "/RunLengthDecode": RunLengthDecode,
}

# Left out of the pages served to SMEs: links and form fields (a link to a later page would pull that
# page into the file), page actions, thread beads (which chain to other pages), per-page metadata and
# application data (which can hold a whole copy of the original document).
_PAGE_KEYS_LEFT_OUT = ("/Annots", "/AA", "/B", "/Metadata", "/PieceInfo", "/Thumb")

_SIGNATURES = (
    (b"MZ", "a Windows program (.exe)"),
    (b"\x7fELF", "a program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an older Word or Office document (.doc)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "a Rich Text document (.rtf)"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)
_ZIP_KINDS = (
    (b"word/document.xml", "a Word document (.docx)"),
    (b"xl/workbook.xml", "an Excel spreadsheet (.xlsx)"),
    (b"ppt/presentation.xml", "a PowerPoint file (.pptx)"),
    (b"mimetypeapplication/vnd.oasis.opendocument", "an OpenDocument file"),
)


@dataclass(frozen=True)
class CheckedPdf:
    """A PDF upload that passed check_pdf."""

    page_count: int
    size: int
    sha256: str


class _Refused(Exception):
    """Internal: a reason key from _MESSAGES or _RISKS; check_pdf words it for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_pdf(data: bytes | BinaryIO, *, field: str, label: str) -> CheckedPdf:
    """Accept a real, safe PDF or raise DomainError(plain reason, field=field).

    Side effects: none; a stream is read (at most MAX_UPLOAD_BYTES + 1 bytes) and put back where it
    was when it can seek. `label` names the document in messages ("Resume", "DD-214").
    """
    noun = _noun(label)
    raw, size = _read_capped(data)
    if size == 0:
        raise DomainError(
            f"The file you chose for your {noun} is empty (0 bytes). Check that you chose the right file and upload it again.",
            field=field,
        )
    if size is None or size > MAX_UPLOAD_BYTES:
        shown = "larger than 10 MB" if size is None else _megabytes(size)
        raise DomainError(
            f"Your {noun} is {shown}. Files must be 10 MB or smaller. Save a smaller PDF and upload it again.",
            field=field,
        )
    header_at = raw.find(b"%PDF-", 0, _HEADER_WINDOW)
    looks_like = _looks_like(raw) if header_at != 0 else None
    # Bytes before a late header that are another format's signature make a polyglot file: refused.
    if header_at < 0 or looks_like:
        start = f"This looks like {looks_like}, not a PDF." if looks_like else "This file is not a PDF."
        raise DomainError(f"{start} Save your {noun} as a PDF and upload it again.", field=field)
    try:
        page_count = _inspect(raw)
    except _Refused as refused:
        risk = _RISKS.get(refused.reason)
        message = (
            _RISK_MESSAGE.format(noun=noun, risk=risk)
            if risk
            else _MESSAGES[refused.reason].format(noun=noun)
        )
        raise DomainError(message, field=field) from None
    return CheckedPdf(page_count=page_count, size=size, sha256=hashlib.sha256(raw).hexdigest())


# SMEQA rule 4 (DEOH p. 4-2): the JOA may limit how many resume pages reviewers read, but a longer
# resume is accepted and never rejected or down-rated for its length; reviewers stop at the limit.
def pages_note(page_count: int, limit: int | None) -> str | None:
    """The note shown with a resume longer than the page limit, or None when reviewers read all of it.

    Side effects: none.
    """
    if limit is None or page_count <= limit:
        return None
    if limit < 1:
        raise ValueError("A page limit must be at least 1.")
    first = "first page" if limit == 1 else f"first {limit} pages"
    return f"Reviewers read the {first} of this {page_count}-page resume."


def first_pages(data: bytes, limit: int) -> bytes:
    """Return a new PDF holding only the first `limit` pages of `data`, to serve SMEs instead of the original.

    Side effects: none. Expects a file that passed check_pdf. Only page content and its resources are
    copied: no document info, outline, names, JavaScript, links, form fields or page actions.
    """
    if limit < 1:
        raise ValueError("A page limit must be at least 1.")
    reader = PdfReader(io.BytesIO(data), strict=True)
    writer = PdfWriter()
    for index in range(min(limit, len(reader.pages))):
        writer.add_page(reader.pages[index], excluded_keys=_PAGE_KEYS_LEFT_OUT)
    writer.metadata = None  # pypdf would add its own /Producer entry
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _noun(label: str) -> str:
    """Lower-case a label for use mid-sentence ("Resume" -> "resume"); "DD-214" and "VA letter" stay."""
    if label[:1].isupper() and label[1:2].islower():
        return label[0].lower() + label[1:]
    return label


def _megabytes(size: int) -> str:
    """Size in MB to one decimal, rounded up so a file just over the limit never reads "10.0 MB"."""
    return f"{math.ceil(size * 10 / _MB) / 10:.1f} MB"


def _read_capped(data: bytes | BinaryIO) -> tuple[bytes, int | None]:
    """The upload's bytes and size; size None means "over the limit, exact size unknown" (nothing kept)."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        return raw, len(raw)
    start = None
    try:
        if data.seekable():
            start = data.tell()
            size = data.seek(0, io.SEEK_END) - start
            data.seek(start)
            if size > MAX_UPLOAD_BYTES:
                return b"", size
    except (AttributeError, OSError, ValueError):
        start = None
    chunks = []
    read = 0
    while read <= MAX_UPLOAD_BYTES:
        chunk = data.read(MAX_UPLOAD_BYTES + 1 - read)
        if not chunk:
            break
        chunks.append(chunk)
        read += len(chunk)
    if start is not None:
        data.seek(start)
    if read > MAX_UPLOAD_BYTES:
        return b"", None
    return b"".join(chunks), read


def _looks_like(raw: bytes) -> str | None:
    """What a non-PDF file appears to be, in words a candidate knows, or None when unrecognised."""
    if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return next((kind for marker, kind in _ZIP_KINDS if marker in raw), "a ZIP file")
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            return kind
    if raw[4:8] == b"ftyp" and raw[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "a HEIC photo"
    if raw[8:12] == b"WEBP" and raw.startswith(b"RIFF"):
        return "a WebP image"
    head = raw[:_HEADER_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    if not raw.startswith(b"%PDF-"):
        try:
            text = raw[:_HEADER_WINDOW].decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the window's edge is still text.
            text = raw[: error.start].decode("utf-8") if error.start > _HEADER_WINDOW - 4 else ""
        if text and all(ch.isprintable() or ch in "\t\r\n\x0c" for ch in text):
            return "a plain text file"
    return None


def _inspect(raw: bytes) -> int:
    """Parse and examine a PDF's bytes; return its page count or raise _Refused."""
    try:
        reader = PdfReader(io.BytesIO(raw), strict=True)
    except MemoryError:
        raise
    except Exception as error:
        # pypdf cannot open some encryption types without extra libraries; the candidate's fix is the same.
        raise _Refused("encrypted" if _ENCRYPT_NAME.search(raw) else "damaged") from error
    if reader.is_encrypted:
        raise _Refused("encrypted")
    try:
        _check_xref_offsets(reader, raw)
        _check_xref_chain(reader, raw)
        _walk(reader)
        risk = _raw_risk(raw)
        if risk:
            raise _Refused(risk)
        page_count = len(reader.pages)
    except _Refused:
        raise
    except MemoryError:
        raise
    except LimitReachedError as error:  # pypdf's own guards: self-referencing objects, huge arrays
        raise _Refused("too_complex") from error
    except Exception as error:  # hostile input makes pypdf raise all kinds of errors
        raise _Refused("damaged") from error
    if page_count == 0:
        raise _Refused("no_pages")
    return page_count


def _check_xref_offsets(reader: PdfReader, raw: bytes) -> None:
    """Refuse as damaged when a cross-reference entry does not point at the object it names.

    pypdf repairs such entries silently by searching the file, even in strict mode; we do not accept
    repaired files, because what a repair finds can differ between pypdf and the SME's viewer.
    """
    for generation, entries in reader.xref.items():
        free = reader.xref_free_entry.get(generation, {})
        for idnum, offset in entries.items():
            if free.get(idnum):
                continue
            found = _OBJECT_HEADER.match(raw, offset) if 0 <= offset < len(raw) else None
            if found is None or (int(found[1]), int(found[2])) != (idnum, generation):
                raise _Refused("damaged")


def _check_xref_chain(reader: PdfReader, raw: bytes) -> None:
    """Refuse as damaged when the chain of cross-reference sections (each trailer's /Prev) loops.

    pypdf notices a loop, logs a warning and reads on, even in strict mode; a viewer may loop, stop
    early or repair the file its own way, and then the SME opens a different file from the one checked.
    """
    seen: set[int] = set()
    offset: int | None = reader._startxref  # pypdf has no public accessor for where the chain starts
    stream = io.BytesIO(raw)
    while offset is not None:
        if offset in seen:
            raise _Refused("damaged")
        seen.add(offset)
        trailer = _section_trailer(reader, raw, stream, offset)
        previous = dict.get(trailer, "/Prev") if trailer is not None else None
        offset = int(previous) if isinstance(previous, NumberObject) else None


def _section_trailer(
    reader: PdfReader, raw: bytes, stream: io.BytesIO, offset: int
) -> DictionaryObject | None:
    """The trailer of the cross-reference section at `offset`: a classic table's `trailer << >>` or a
    cross-reference stream's dictionary; None when there is none to read (the other checks judge that)."""
    if not 0 <= offset < len(raw):
        return None
    table = _XREF_TABLE.match(raw, offset)
    if table:
        keyword = _TRAILER.search(raw, table.end())  # a table holds only digits, "f" and "n" before it
        if keyword is None:
            return None
        start = keyword.end()
    else:
        header = _OBJECT_HEADER.match(raw, offset)
        if header is None:
            return None
        start = header.end()
    stream.seek(_PDF_WHITESPACE.match(raw, start).end())
    found = read_object(stream, reader)
    return found if isinstance(found, DictionaryObject) else None


def _walk(reader: PdfReader) -> None:
    """Look at every object the cross-reference data lists; raise _Refused on active content or excess.

    Plain objects come first and compressed object streams last, so a decompression bomb hidden in an
    object stream is measured here before pypdf unpacks it. References are not followed: every object a
    viewer can reach is listed, and a reference to an unlisted object means null.
    """
    known: dict[tuple[int, int], None] = {}
    for generation, entries in reader.xref.items():
        free = reader.xref_free_entry.get(generation, {})
        known.update(((idnum, generation), None) for idnum in entries if not free.get(idnum))
    known.update(((idnum, 0), None) for idnum in reader.xref_objStm)

    parts = 0
    opened = 0
    nodes: list[object] = [reader.trailer]
    pending = iter(known)
    while True:
        if nodes:
            node = nodes.pop()
        else:
            ref = next(pending, None)
            if ref is None:
                return
            node = reader.get_object(IndirectObject(ref[0], ref[1], reader))
        parts += 1
        if parts > MAX_PARTS:
            raise _Refused("too_complex")
        if isinstance(node, DictionaryObject):
            for key, value in dict.items(node):
                reason = _RISKY_KEYS.get(key)
                if key == "/OpenAction" and _runs_on_open(reader, value, known):
                    reason = "auto_action"
                if reason:
                    raise _Refused(reason)
                _queue(value, nodes)
            if isinstance(node, StreamObject):
                opened += _opened_size(reader, node, known, MAX_OPENED_BYTES - opened)
                if opened > MAX_OPENED_BYTES:
                    raise _Refused("too_large_opened")
        elif isinstance(node, ArrayObject):
            for item in node:
                _queue(item, nodes)
        else:
            _queue(node, nodes)


def _runs_on_open(reader: PdfReader, open_action: object, known: dict[tuple[int, int], None]) -> bool:
    """Whether a catalog's /OpenAction does more than show a page.

    A destination ([page /Fit]) or a lone GoTo action (what LaTeX's hyperref writes) only shows a page;
    any other action, or a GoTo with /Next actions chained after it, does something else.
    """
    action = _resolve(reader, open_action, known)
    if not isinstance(action, DictionaryObject):
        return False
    return _resolve(reader, dict.get(action, "/S"), known) != "/GoTo" or "/Next" in action


def _queue(value: object, nodes: list[object]) -> None:
    """Check a name on the spot; put a direct dictionary or array on the stack to look at."""
    if isinstance(value, NameObject):
        reason = _RISKY_NAMES.get(value)
        if reason:
            raise _Refused(reason)
    elif isinstance(value, DictionaryObject | ArrayObject):
        nodes.append(value)


def _resolve(reader: PdfReader, value: object, known: dict[tuple[int, int], None]) -> object:
    """The object a reference points at, or None for a reference to an unlisted object (null in PDF)."""
    if isinstance(value, IndirectObject):
        if (value.idnum, value.generation) not in known:
            return None
        return reader.get_object(value)
    return value


def _opened_size(
    reader: PdfReader, stream: StreamObject, known: dict[tuple[int, int], None], budget: int
) -> int:
    """How many bytes the stream's compression filters produce, counted up to just past `budget`."""
    names = _resolve(reader, dict.get(stream, "/Filter"), known)
    names = names if isinstance(names, ArrayObject) else [names] if names else []
    parms = _resolve(reader, dict.get(stream, "/DecodeParms"), known)
    parms = parms if isinstance(parms, ArrayObject) else [parms] * len(names)
    filters: list[tuple[object, object]] = []
    for entry, parm in zip(names, parms, strict=False):
        name = _resolve(reader, entry, known)
        name = _FILTER_ABBREVIATIONS.get(name, name) if isinstance(name, NameObject) else name
        if name in _IMAGE_FILTERS:
            break
        filters.append((name, _resolve(reader, parm, known)))
    encoded = stream._data  # pypdf has no public accessor for a stream's encoded bytes
    if all(name in _SHRINKING_FILTERS for name, _ in filters):
        return len(encoded)
    if [name for name, _ in filters] == ["/FlateDecode"]:
        return _inflated_size(encoded, budget)
    # Rare chains (LZW, run-length, Flate twice, ASCII85 then Flate): pypdf's decoders stop at 75 MB each.
    data = encoded
    try:
        for name, parm in filters:
            decoder = _DECODERS.get(name)
            if decoder is None:  # an unknown filter: a viewer cannot open it either
                break
            data = decoder.decode(data, parm if isinstance(parm, DictionaryObject) else None)
    except LimitReachedError as error:
        raise _Refused("too_large_opened") from error
    return len(data)


def _inflated_size(encoded: bytes, budget: int) -> int:
    """Inflate a Flate stream in steps, keeping nothing, and stop as soon as it passes `budget` bytes."""
    inflater = zlib.decompressobj()
    produced = 0
    try:
        for start in range(0, len(encoded), _INFLATE_INPUT_STEP):
            pending = encoded[start : start + _INFLATE_INPUT_STEP]
            while pending:
                produced += len(inflater.decompress(pending, _INFLATE_OUTPUT_STEP))
                if produced > budget:
                    return produced
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass  # a damaged stream: a viewer stops reading it here too
    return produced


def _raw_risk(raw: bytes) -> str | None:
    """The reason key for active content named in the file's plain object syntax, or None."""
    if not (_RAW_RISKY.search(raw) or _RAW_ESCAPED_NAME.search(raw)):
        return None  # the usual case, and cheaper than cutting out strings first
    syntax = _RAW_SKIP.sub(b" ", raw)
    found = _RAW_RISKY.search(syntax)
    if found:
        return _name_risk(found[0])
    for escaped in _RAW_ESCAPED_NAME.finditer(syntax):
        reason = _name_risk(_unescape(escaped[0]))
        if reason:
            return reason
    return None


def _name_risk(name: bytes) -> str | None:
    """The reason key for a raw name such as b"/JS", or None."""
    if name in (b"/JS", b"/JavaScript"):
        return "javascript"
    if name == b"/Launch":
        return "launch"
    if name in (b"/EmbeddedFile", b"/EmbeddedFiles"):
        return "embedded_file"
    if name.startswith(b"/RichMedia"):
        return "rich_media"
    if name == b"/XFA":
        return "xfa"
    return None


def _unescape(name: bytes) -> bytes:
    """A PDF name with its #xx escapes decoded: /J#61vaScript -> /JavaScript."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), name)
