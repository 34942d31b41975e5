"""A long tagged PDF drawn in parts, two processes at a time (joined by pdf_join.py).

WeasyPrint takes about 7 ms of CPU per certificate row, so 2,000 names in one pass take about 15 s on this
2-core machine (docs/performance.md). Here each part is laid out and painted by WeasyPrint in this process
or a forked child, and kept as its pydyf object graph (`capture`) for pdf_join.join_parts. No Django here.
"""

import contextlib
import io
import os
import pickle
import signal
import tempfile
import traceback
import warnings
import zlib
from collections.abc import Callable, Sequence
from functools import partial

import pydyf

from .pdf_join import Part, PartFailed, mark_tables


class _Captured(Exception):
    """Not an error: stops WeasyPrint once the finisher has the objects, before it serializes them."""


def capture(document, *, id_prefix: str = "", **options) -> tuple[pydyf.PDF, list, list[tuple[str, int]]]:
    """The pydyf object graph of a rendered WeasyPrint `document` (options as for write_pdf), with
    WeasyPrint's own content-stream objects replaced by plain pydyf streams so that it pickles; its
    outline entries; and its table-header IDs, prefixed with `id_prefix` (see pdf_join.mark_tables)."""
    captured = []

    def finisher(_document, pdf):
        captured.append(pdf)
        raise _Captured  # public hook, used to skip the serialization join_parts does once for all parts

    with contextlib.suppress(_Captured):
        document.write_pdf(finisher=finisher, **options)
    pdf = captured[0]
    for index, obj in enumerate(pdf.objects):
        if isinstance(obj, pydyf.Stream):
            pdf.objects[index] = _plain_stream(obj)
    outline = []

    def walk(nodes, depth):
        for label, (page, x, y), children, _state in nodes:
            outline.append((depth, label, page, x, y))
            walk(children, depth + 1)

    walk(document.make_bookmark_tree(scale=0.75, transform_pages=True), 0)  # as write_pdf: PDF points
    return pdf, outline, mark_tables(pdf, prefix=id_prefix)


def _plain_stream(stream: pydyf.Stream) -> pydyf.Stream:
    """A plain pydyf stream with the same bytes, compressed here (in the drawing process) if it asks to be,
    so that it pickles without WeasyPrint's drawing state and the join only copies it."""
    data = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)  # as pydyf.Stream.data joins them
    extra = dict(stream.extra)
    if stream.compress:
        data = zlib.compress(data)
        extra["Filter"] = "/FlateDecode"
    plain = pydyf.Stream([data], extra, compress=False)
    plain.number, plain.generation = stream.number, stream.generation
    return plain


# --- drawing in processes ---------------------------------------------------------------------------------


def draw_parts(htmls: Sequence[str], draw: Callable[[str], Part], *, workers: int) -> list[Part]:
    """`draw(html)` for every part, in order. With more than one part and worker, this process and
    `workers - 1` forked children (os.fork, not multiprocessing: a Celery prefork child is daemonic and may
    not start a multiprocessing pool) take the parts' numbers one at a time from a pipe until it is empty.
    A child inherits the loaded fonts and templates, pickles its parts to a temporary file and leaves with
    os._exit, so it never runs this process's code (database connections, atexit) on the way out."""
    if workers <= 1 or len(htmls) <= 1:
        return [draw(html) for html in htmls]
    if len(htmls) > 0xFFFF:
        raise PartFailed(f"Too many parts: {len(htmls)}.")
    queue, fill = os.pipe()
    os.write(fill, b"".join(i.to_bytes(2, "big") for i in range(len(htmls))))
    os.close(fill)  # readers see end of file once every number is taken
    children: list[tuple[int, io.BufferedRandom]] = []
    results: dict[int, Part] = {}
    try:
        for _ in range(min(workers, len(htmls)) - 1):
            out = tempfile.TemporaryFile()  # noqa: SIM115 (closed once the child is reaped)
            pid = _fork()
            if pid == 0:  # pragma: no cover (runs in the child)
                _child(queue, htmls, draw, out)
            children.append((pid, out))
        results.update(_take_and_draw(queue, htmls, draw))
        while children:
            pid, out = children.pop()
            results.update(_reap(pid, out))
    finally:
        os.close(queue)
        for pid, out in children:  # this process failed first: stop the others
            _kill(pid)
            out.close()
    return [results[i] for i in range(len(htmls))]


class DrawLater:
    """`draw(html)` started in a forked child (with more than one worker) and collected by calling this
    object, once; `close()` stops it if it was never collected. The running heads are drawn this way
    while the parts are being joined."""

    def __init__(self, html: str, draw: Callable[[str], Part], *, workers: int) -> None:
        self._part: Part | None = None
        self._child: tuple[int, io.BufferedRandom] | None = None
        if workers <= 1:
            self._draw = partial(draw, html)
            return
        queue, fill = os.pipe()
        os.write(fill, (0).to_bytes(2, "big"))
        os.close(fill)
        out = tempfile.TemporaryFile()  # noqa: SIM115 (closed once the child is reaped)
        try:
            pid = _fork()
            if pid == 0:  # pragma: no cover (runs in the child)
                _child(queue, [html], draw, out)
        except BaseException:
            out.close()
            raise
        finally:
            os.close(queue)
        self._child = (pid, out)

    def __call__(self) -> Part:
        if self._part is None:
            if self._child is None:
                self._part = self._draw()
            else:
                child, self._child = self._child, None
                self._part = _reap(*child)[0]
        return self._part

    def close(self) -> None:
        if self._child is not None:
            pid, out = self._child
            self._child = None
            _kill(pid)
            out.close()


def _fork() -> int:
    """os.fork, without Python 3.12's warning about forking a process that has other threads. The child
    only runs WeasyPrint on its own objects and leaves with os._exit. It could hang only if another thread
    of this process were inside fontconfig or Pango at that instant, that is, drawing a PDF too: Celery's
    prefork workers, where certificates are drawn, have no such thread; pytest-xdist's have one that only
    talks to the test runner."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
        return os.fork()


def _take_and_draw(queue: int, htmls: Sequence[str], draw: Callable[[str], Part]) -> dict[int, Part]:
    drawn = {}
    while len(token := os.read(queue, 2)) == 2:  # a pipe hands each 2-byte number to one reader only
        index = int.from_bytes(token, "big")
        drawn[index] = draw(htmls[index])
    return drawn


def _child(queue: int, htmls: Sequence[str], draw: Callable[[str], Part], out) -> None:  # pragma: no cover
    code = 1
    try:
        result = ("ok", _take_and_draw(queue, htmls, draw))
        code = 0
    except BaseException as exc:
        result = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    try:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
    finally:
        os._exit(code)


def _reap(pid: int, out) -> dict[int, Part]:
    _, status = os.waitpid(pid, 0)
    try:
        out.seek(0)
        data = out.read()
    finally:
        out.close()
    # Written just now by our own forked child, never by anyone else.
    kind, payload = pickle.loads(data) if data else ("error", f"no result (wait status {status})")  # noqa: S301  # nosec B301: a private 0600 file our own forked child wrote
    if kind != "ok" or os.waitstatus_to_exitcode(status) != 0:
        raise PartFailed(f"A part of the PDF could not be drawn: {payload}")
    return payload


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
