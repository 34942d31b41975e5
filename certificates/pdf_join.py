"""Joining tagged PDF parts drawn by WeasyPrint into one PDF/UA document, at the pydyf level.

WeasyPrint's `finisher` hook hands over each part's pydyf object graph just before WeasyPrint would
serialize it (pdf_parts.capture). `join_parts` renumbers those objects into one pydyf.PDF:

- one page tree, one structure tree (each part's top-level structure elements under one /Document; the
  /ParentTree keys and /StructParents renumbered), table-header IDs made unique by `mark_tables`, an
  /IDTree, a /Scope on each header cell, one outline;
- the running heads and "Page N of M", drawn last as an untagged PDF with one page per page, placed on
  every page as a form XObject inside a /Pagination artifact (PDF/UA-1: running heads are artifacts), so
  the numbering is the whole document's, which no part could know while it was drawn.

pydyf keeps an indirect reference as its own bytes value, b"12 0 R" (page tree kids aside, which are
rebuilt), so renumbering walks the values and rewrites those. Joining costs about 1 s for 2,000 rows;
parsing and re-writing the drawn parts with pypdf cost 5 s. No Django here.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pydyf

HEADS = "SmeqaHeads"  # the running heads' form XObject in each page's resources
ID_TREE_LEAF = 256  # names per /IDTree leaf, far below old readers' 8,191-element array limit
# Catalog entries a part may have; anything else (links, forms, attachments) would need joining too.
PART_CATALOG = {
    "Type",
    "Pages",
    "Lang",
    "StructTreeRoot",
    "ViewerPreferences",
    "MarkInfo",
    "Metadata",
    "Outlines",
}


class PartFailed(RuntimeError):
    """A part could not be drawn or joined (from a child process, the message carries its traceback)."""


@dataclass
class Part:
    """One drawn part: its pydyf objects (plain, picklable), page count, outline entries
    (depth, title, page index, x, y in PDF points), table-header IDs (with their object numbers) and the
    URLs its fetcher was asked for and refused."""

    pdf: pydyf.PDF
    pages: int
    outline: list[tuple[int, str, int, float, float]] = field(default_factory=list)
    ids: list[tuple[str, int]] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def join_parts(parts: Sequence[Part], heads: Part | Callable[[], Part], *, version: bytes = b"1.7") -> bytes:
    """One tagged PDF from tagged `parts` (WeasyPrint with pdf_tags), in order, with `heads` (untagged, one
    page per page of the result; or a function that returns it, called once the parts are joined)
    stamped on every page as a pagination artifact. Takes the parts' objects over: draw them again to
    join them again."""
    out = pydyf.PDF()
    first = parts[0].pdf
    for key in ("Lang", "ViewerPreferences", "MarkInfo"):
        if key in first.catalog:
            out.catalog[key] = first.catalog[key]
    out.info = first.info
    root = pydyf.Dictionary({"Type": "/StructTreeRoot"})
    document = pydyf.Dictionary({"Type": "/StructElem", "S": "/Document", "K": pydyf.Array(), "P": b""})
    nums = pydyf.Array()
    for obj in (root, document):
        out.add_object(obj)
    document["P"] = root.reference
    root["K"] = pydyf.Array([document.reference])
    out.catalog["StructTreeRoot"] = root.reference

    pages: list[pydyf.Dictionary] = []
    ids: list[tuple[str, bytes]] = []
    outline: list[tuple[int, str, int, float, float]] = []
    next_key = 0
    for number, part in enumerate(parts):
        part_pages, mapping, part_nums = _add_part(
            out, part.pdf, root=root, document=document, metadata=number == 0
        )
        keys = [int(key) for key in part_nums[::2]]
        offset, next_key = next_key, next_key + (max(keys) + 1 if keys else 0)
        for key, value in zip(keys, part_nums[1::2], strict=True):
            nums.extend([offset + key, value])
        for page in part_pages:
            if "StructParents" in page:
                page["StructParents"] = offset + page["StructParents"]
            for annotation in page.get("Annots", ()):
                annotation = out.objects[_number(annotation)]
                if "StructParent" in annotation:
                    annotation["StructParent"] = offset + annotation["StructParent"]
        nest = 1 if number and outline else 0  # a later part's headings go under the first part's title
        outline += [
            (depth + nest, title, len(pages) + page, x, y) for depth, title, page, x, y in part.outline
        ]
        ids += [(key, _reference(mapping[local])) for key, local in part.ids]
        pages += part_pages

    parent_tree = pydyf.Dictionary({"Nums": nums})
    out.add_object(parent_tree)
    root["ParentTree"] = parent_tree.reference
    root["ParentTreeNextKey"] = next_key
    if ids:
        root["IDTree"] = _name_tree(out, ids)
    heads = heads() if callable(heads) else heads
    if heads.pages != len(pages):
        raise PartFailed(f"The running heads have {heads.pages} pages for {len(pages)}.")
    for page in pages:
        out.pages["Kids"].extend([page.number, 0, "R"])
        out.pages["Count"] += 1
        page["Parent"] = out.pages.reference
    _stamp(out, pages, heads.pdf)
    if outline:
        out.catalog["Outlines"] = _outline(out, outline, pages)
    output = io.BytesIO()
    out.write(output, version, None, True)
    return output.getvalue()


def _add_part(
    out: pydyf.PDF, pdf: pydyf.PDF, *, root, document, metadata: bool
) -> tuple[list, dict[int, int], list]:
    """Move a tagged part's objects into `out`, renumbered, leaving out its catalog, page tree root, structure
    root and /Document (its top-level elements join `document`), parent tree and outline. Returns its pages,
    its old-to-new object numbers and its parent tree /Nums (renumbered)."""
    catalog = pdf.catalog
    unexpected = set(catalog) - PART_CATALOG
    if unexpected:
        raise PartFailed(f"A part has catalog entries the join does not handle: {sorted(unexpected)}")
    tree = _object(pdf, catalog["StructTreeRoot"])
    part_document = _object(pdf, tree["K"][0])
    parent_tree = _object(pdf, tree["ParentTree"])
    left_out = {0, pdf.pages.number, catalog.number, tree.number, part_document.number, parent_tree.number}
    left_out |= set(_outline_objects(pdf))
    if "Metadata" in catalog and not metadata:
        left_out.add(_number(catalog["Metadata"]))
    mapping = {}
    for obj in pdf.objects:
        if obj.number not in left_out:
            old = obj.number
            out.add_object(obj)
            mapping[old] = obj.number
    added = list(mapping.values())
    mapping |= {
        tree.number: root.number,
        part_document.number: document.number,
        pdf.pages.number: out.pages.number,
        catalog.number: out.catalog.number,
    }
    seen: set[int] = set()
    for new in added:
        _renumber(out.objects[new], mapping, seen)
    if metadata and "Metadata" in catalog:
        out.catalog["Metadata"] = _reference(mapping[_number(catalog["Metadata"])])
    for kid in part_document["K"]:
        document["K"].append(_renumber(kid, mapping, seen))
    nums = _renumber(parent_tree["Nums"], mapping, seen)
    pages = [out.objects[mapping[number]] for number in pdf.pages["Kids"][::3]]
    return pages, mapping, nums


def _renumber(value, mapping: dict[int, int], seen: set[int]):
    """`value` with every indirect reference in it renumbered: containers in place, each once. pydyf keeps
    a reference as its own bytes value, b"12 0 R" (page tree kids aside, which are rebuilt)."""
    if isinstance(value, bytes | str):
        return _renumbered_reference(value, mapping)
    if id(value) in seen:
        return value
    seen.add(id(value))
    if isinstance(value, pydyf.Stream):
        _renumber(value.extra, mapping, seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, bytes | str):
                value[key] = _renumbered_reference(item, mapping)
            elif isinstance(item, dict | list):
                _renumber(item, mapping, seen)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, bytes | str):
                value[index] = _renumbered_reference(item, mapping)
            elif isinstance(item, dict | list):
                _renumber(item, mapping, seen)
    return value


def _renumbered_reference(value: bytes | str, mapping: dict[int, int]) -> bytes | str:
    text = value.encode() if isinstance(value, str) else value
    if text.endswith(b" 0 R") and text[:-4].isdigit():
        return _reference(mapping[int(text[:-4])])
    return value


def mark_tables(pdf: pydyf.PDF, *, prefix: str) -> list[tuple[str, int]]:
    """Prefix WeasyPrint's table-header IDs, which are built from object numbers and so repeat from part to
    part, and give each TH a /Scope: Column in the table head, Row in the body (the names). Returns the
    IDs with their elements' object numbers, for the /IDTree."""
    ids = []
    for element in pdf.objects:
        if not isinstance(element, dict) or element.get("Type") != "/StructElem":
            continue
        kind = element.get("S")
        if kind == "/TH":
            if "ID" in element:
                element["ID"] = pydyf.String(prefix + _text(element["ID"]))
                ids.append((_text(element["ID"]), element.number))
            row = _object(pdf, element["P"])
            group = _object(pdf, row["P"]).get("S") if "P" in row else None
            attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Scope"] = "/Column" if group == "/THead" else "/Row"
        elif kind == "/TD" and "Headers" in element.get("A", {}):
            element["A"]["Headers"] = pydyf.Array(
                pydyf.String(prefix + _text(h)) for h in element["A"]["Headers"]
            )
    return ids


def _name_tree(out: pydyf.PDF, ids: list[tuple[str, bytes]]) -> bytes:
    ids = sorted(ids, key=lambda pair: pair[0].encode("utf-16-be"))  # pydyf writes non-ASCII as UTF-16
    kids = pydyf.Array()
    for start in range(0, len(ids), ID_TREE_LEAF):
        chunk = ids[start : start + ID_TREE_LEAF]
        leaf = pydyf.Dictionary(
            {
                "Names": pydyf.Array(
                    item for key, reference in chunk for item in (pydyf.String(key), reference)
                ),
                "Limits": pydyf.Array([pydyf.String(chunk[0][0]), pydyf.String(chunk[-1][0])]),
            }
        )
        out.add_object(leaf)
        kids.append(leaf.reference)
    node = pydyf.Dictionary({"Kids": kids})
    out.add_object(node)
    return node.reference


def _stamp(out: pydyf.PDF, pages: list, heads: pydyf.PDF) -> None:
    """Draw page i of `heads` on page i, as a form XObject inside a /Pagination artifact."""
    head_pages = [heads.objects[number] for number in heads.pages["Kids"][::3]]
    left_out = {0, heads.pages.number, heads.catalog.number} | {page.number for page in head_pages}
    mapping = {}
    for obj in heads.objects:
        if obj.number not in left_out:
            old = obj.number
            out.add_object(obj)
            mapping[old] = obj.number
    seen: set[int] = set()
    for new in list(mapping.values()):
        _renumber(out.objects[new], mapping, seen)
    save, restore = pydyf.Stream([b"q"]), pydyf.Stream([b"Q"])
    draw = pydyf.Stream(
        [b"/Artifact <</Type /Pagination>> BDC q /" + HEADS.encode() + b" Do Q EMC"], compress=True
    )
    for obj in (save, restore, draw):
        out.add_object(obj)
    shared_resources: dict[bytes, pydyf.Dictionary] = {}
    for page, head in zip(pages, head_pages, strict=True):
        form = out.objects[mapping[_number(head["Contents"])]]
        form.extra.update(
            {
                "Type": "/XObject",
                "Subtype": "/Form",
                "BBox": pydyf.Array(head["MediaBox"]),
                "Resources": _reference(mapping[_number(head["Resources"])]),
            }
        )
        # Each page gets its own resources: the part's shared ones plus this page's heads.
        resources = page["Resources"]
        if not isinstance(resources, dict):
            resources = shared_resources.setdefault(resources, out.objects[_number(resources)])
        own = pydyf.Dictionary(resources)
        own["XObject"] = pydyf.Dictionary({**resources.get("XObject", {}), HEADS: form.reference})
        page["Resources"] = own
        contents = page["Contents"]
        contents = list(contents) if isinstance(contents, list) else [contents]
        page["Contents"] = pydyf.Array([save.reference, *contents, restore.reference, draw.reference])


def _outline(out: pydyf.PDF, entries: list[tuple[int, str, int, float, float]], pages: list) -> bytes:
    """An outline (bookmarks) from (depth, title, page index, x, y) entries, nested by depth."""
    top = pydyf.Dictionary({"Type": "/Outlines", "Count": 0})
    out.add_object(top)
    stack: list[tuple[int, pydyf.Dictionary]] = [(-1, top)]
    for depth, title, page, x, y in entries:
        while stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1]
        item = pydyf.Dictionary(
            {
                "Title": pydyf.String(title),
                "Parent": parent.reference,
                "Dest": pydyf.Array([pages[page].reference, "/XYZ", x, y, 0]),
            }
        )
        out.add_object(item)
        if "First" in parent:
            last = out.objects[_number(parent["Last"])]
            last["Next"], item["Prev"] = item.reference, last.reference
        else:
            parent["First"] = item.reference
        parent["Last"] = item.reference
        for _, ancestor in stack:
            ancestor["Count"] = ancestor.get("Count", 0) + 1
        stack.append((depth, item))
    return top.reference


def _outline_objects(pdf: pydyf.PDF):
    if "Outlines" not in pdf.catalog:
        return
    stack = [_number(pdf.catalog["Outlines"])]
    while stack:
        number = stack.pop()
        yield number
        item = pdf.objects[number]
        stack += [_number(item[key]) for key in ("First", "Next") if key in item]


def _object(pdf: pydyf.PDF, reference):
    return pdf.objects[_number(reference)]


def _number(reference: bytes | str) -> int:
    text = reference.decode() if isinstance(reference, bytes) else reference
    number, _generation, kind = text.split()
    if kind != "R":
        raise PartFailed(f"Not an indirect reference: {text!r}")
    return int(number)


def _reference(number: int) -> bytes:
    return f"{number} 0 R".encode()


def _text(string: pydyf.String) -> str:
    value = string.string
    return value.decode() if isinstance(value, bytes) else str(value)
