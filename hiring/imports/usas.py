"""A USA Staffing applicant export (CSV) read into rows, with every problem named by the row a person
sees in a spreadsheet (the heading row is row 1). Pure: text or bytes in; rows, or one ImportRejected.

The export's columns come from domain-research §6.2 and SMEQA usas-for-rr.md ("do not add or remove
columns"); older exports call Rating Combination "Application Combination", and USAJOBS Applicant GUID
may be absent. Only Application Number and the first and last names are required here.
"""

import csv
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from smeqa.errors import DomainError

MAX_ROWS = 100_000
# The limits of Application.external_number and Application.applicant_name. They are checked here
# because the import writes with bulk_create, which skips full_clean; a test holds them to the model.
NUMBER_MAX_LENGTH = 40
NAME_MAX_LENGTH = 200

VACANCY_ID = "Vacancy ID"
ASSESSMENT_ID = "Assessment ID"
APPLICATION_NUMBER = "Application Number"
LAST_NAME = "Applicant Last Name"
FIRST_NAME = "Applicant First Name"
MIDDLE_NAME = "Applicant Middle Name"
RATING_COMBINATION = "Rating Combination"

COLUMNS = (
    VACANCY_ID,
    ASSESSMENT_ID,
    "Application ID",
    "Application Rating ID",
    LAST_NAME,
    FIRST_NAME,
    MIDDLE_NAME,
    APPLICATION_NUMBER,
    RATING_COMBINATION,
    "Assessment Rating",
    "Minimum Qualifications Rating",
    "USAJOBS Applicant GUID",
)
ALIASES = {"Application Combination": RATING_COMBINATION}
REQUIRED = (APPLICATION_NUMBER, LAST_NAME, FIRST_NAME)

# Heading as typed (spaces collapsed, any case) → the column's name in USA Staffing's spelling.
_CANONICAL = {name.casefold(): name for name in COLUMNS} | {
    alias.casefold(): name for alias, name in ALIASES.items()
}
_SPELLINGS = {name.casefold(): name for name in [*COLUMNS, *ALIASES]}
# Excel shows long numbers as 1.23457E+07 and saves them that way: the digits are gone for good.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E[+-]?\d+", re.IGNORECASE)


class ImportRejected(DomainError):
    """A file that cannot be imported. `errors` names every problem, one sentence each, in file order.
    Nothing was saved."""

    def __init__(self, errors: list[str], *, what: str = "file") -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            f"The {what} was not imported: it has {count} problem{'' if count == 1 else 's'}. Nothing was saved."
        )


@dataclass(frozen=True, slots=True)
class UsasRow:
    """One applicant row. `columns` holds every column the file has except Application Number, under
    USA Staffing's spelling, so the row can be written back out as it came in."""

    row: int
    application_number: str
    first_name: str
    middle_name: str
    last_name: str
    columns: dict[str, str]

    @property
    def applicant_name(self) -> str:
        """First Middle Last, without the double space ART leaves when there is no middle name."""
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    @property
    def external_number(self) -> str:
        return self.application_number

    @property
    def external_data(self) -> dict[str, str]:
        return dict(self.columns)


def parse_usas_csv(data: str | bytes) -> list[UsasRow]:
    """Read a USA Staffing applicant export. Raises ImportRejected naming every problem, if any."""
    rows, errors = read_usas_csv(data)
    if not rows and not errors:
        errors.append("The file has a heading row but no applicant rows.")
    if errors:
        raise ImportRejected(errors)
    return rows


def read_usas_csv(
    data: str | bytes, *, required: tuple[str, ...] = REQUIRED, unique_numbers: bool = True
) -> tuple[list[UsasRow], list[str]]:
    """The rows that passed and the problems found, for callers that add checks of their own (the ART
    import groups repeated Application Numbers instead of refusing them). A file that cannot be read
    at all still raises ImportRejected."""
    text = _decode(data)
    if not text.strip():
        raise ImportRejected(["The file is empty."])
    text, delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors: list[str] = []
    rows: list[UsasRow] = []
    row_number = 1
    try:
        header = next(reader, [])
        positions, blank = _read_header(header, required, errors)
        width = len(header)
        seen: dict[str, list[int]] = {}
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # Excel leaves empty rows at the end; they are not applicants
            if len(rows) + 1 > MAX_ROWS:
                errors.append(
                    f"The file has more than {MAX_ROWS:,} applicant rows, the most one import takes. "
                    "Split it into smaller files and import each."
                )
                break
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                errors.append(
                    f"Row {row_number}: it has {len(cells)} cells but the heading row has {width}. "
                    "A value with a comma in it may have lost its quotation marks."
                )
                continue
            row = _read_row(row_number, cells, positions, blank, required, errors)
            if row is None:
                continue
            if unique_numbers:
                earlier = seen.setdefault(row.application_number, [])
                earlier.append(row_number)
                if len(earlier) > 1:
                    errors.append(_duplicate(row_number, row.application_number, earlier[:-1]))
                    continue
            rows.append(row)
    except csv.Error as error:
        errors.append(f"Row {row_number + 1}: this row could not be read as CSV ({error}).")
    return rows, errors


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        text = data
    elif data.startswith(b"PK\x03\x04"):
        raise ImportRejected(
            [
                "This is an Excel workbook, not a CSV file. In Excel choose File, Save As, "
                "“CSV UTF-8 (Comma delimited)”, then upload that file."
            ]
        )
    else:
        try:
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                text = data.decode("utf-16")  # Excel's "Unicode Text"
            else:
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = data.decode("cp1252")  # Excel's plain "CSV (Comma delimited)" on Windows
        except UnicodeDecodeError:
            raise ImportRejected(
                ["The file is not a CSV text file. Export the applicant list from USA Staffing as CSV."]
            ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise ImportRejected(
            ["The file is not a CSV text file. Export the applicant list from USA Staffing as CSV."]
        )
    return text


def _delimiter(text: str) -> tuple[str, str]:
    """Commas, unless the heading row says otherwise: Excel writes a `sep=;` line in some locales,
    semicolons where the comma is the decimal mark, and tabs for "Unicode Text"."""
    first_line, _, rest = text.partition("\n")
    first_line = first_line.rstrip("\r")
    if re.fullmatch(r"sep=.", first_line):
        return rest, first_line[-1]
    counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=counts.__getitem__)
    return text, best if counts[best] else ","


def _read_header(
    header: list[str], required: tuple[str, ...], errors: list[str]
) -> tuple[dict[str, int], list[int]]:
    """Where each known column is, and which columns have no heading (their cells must stay empty)."""
    positions: dict[str, int] = {}
    unknown = False
    for index, cell in enumerate(header):
        label = " ".join(cell.split())
        if not label:
            continue  # an unnamed column is checked row by row: values there are refused
        name = _CANONICAL.get(label.casefold())
        if name is None:
            unknown = True
            errors.append(
                f"Row 1, column {column_letter(index)}: “{label}” is not a USA Staffing applicant column"
                + did_you_mean(label, _SPELLINGS.values())
            )
        elif name in positions:
            errors.append(
                f"Row 1: the column “{name}” appears twice "
                f"(columns {column_letter(positions[name])} and {column_letter(index)})."
            )
        else:
            positions[name] = index
    for name in required:
        if name not in positions:
            errors.append(f"Row 1: the required column “{name}” is missing.")
    if unknown:
        errors.append(
            "Row 1: a USA Staffing applicant export has these columns, which must not be renamed or added to: "
            + ", ".join(COLUMNS)
            + "."
        )
    blank = [index for index, cell in enumerate(header) if not cell.strip()]
    return positions, blank


def _read_row(
    row_number: int,
    cells: list[str],
    positions: dict[str, int],
    blank: list[int],
    required: tuple[str, ...],
    errors: list[str],
) -> UsasRow | None:
    count = len(cells)
    values = {name: cells[i].strip() if i < count else "" for name, i in positions.items()}
    problems = [
        f"Row {row_number}, column {column_letter(i)}: “{cells[i].strip()}” is in a column with no heading."
        for i in blank
        if i < count and cells[i].strip()
    ]
    for name in required:
        if name in values and not values[name]:
            problems.append(f"Row {row_number}: {name} is empty.")
    number = values.get(APPLICATION_NUMBER, "")
    if number:
        if _SCIENTIFIC.fullmatch(number):
            problems.append(
                f"Row {row_number}: Application Number {number} was changed by Excel into scientific "
                "notation, which loses digits. Export the file again and upload it without saving it in Excel."
            )
        elif any(ch.isspace() or not ch.isprintable() for ch in number):
            problems.append(
                f"Row {row_number}: Application Number “{number}” has spaces or hidden characters."
            )
        elif len(number) > NUMBER_MAX_LENGTH:
            problems.append(
                f"Row {row_number}: Application Number “{number[:50]}” is longer than {NUMBER_MAX_LENGTH} characters."
            )
    first, middle, last = values.get(FIRST_NAME, ""), values.get(MIDDLE_NAME, ""), values.get(LAST_NAME, "")
    if len(" ".join(part for part in (first, middle, last) if part)) > NAME_MAX_LENGTH:
        problems.append(
            f"Row {row_number}: the applicant's name is longer than {NAME_MAX_LENGTH} characters."
        )
    if problems:
        errors.extend(problems)
        return None
    columns = {name: value for name, value in values.items() if name != APPLICATION_NUMBER}
    return UsasRow(row_number, number, first, middle, last, columns)


def _duplicate(row_number: int, number: str, earlier: list[int]) -> str:
    if len(earlier) == 1:
        return f"Row {row_number}: Application Number {number} appears twice (also row {earlier[0]})."
    listed = ", ".join(str(n) for n in earlier[:-1]) + f" and {earlier[-1]}"
    return f"Row {row_number}: Application Number {number} appears {len(earlier) + 1} times (also rows {listed})."


def column_letter(index: int) -> str:
    """The spreadsheet letter of a zero-based column: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one of `choices` closest to `word` ignoring case, if any is close (difflib, ratio ≥ 0.6)."""
    folded = {choice.casefold(): choice for choice in choices}
    match = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The end of a sentence naming a misspelling: "; did you mean “X”?" or "."."""
    match = closest(word, choices)
    return f"; did you mean “{match}”?" if match else "."
