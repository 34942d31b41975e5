"""An Assessment Review Tool (ART) hiring-action configuration, read and checked strictly.

ART loads five files (reference/art-peer.md, "Hiring-action configuration formats"): assessmentHurdle.json,
competencies.json, specialties.json, users.json and applicants.csv. ART ignores unknown keys and never
checks nested objects, so a misspelled `screenOut` silently becomes "not screen-out". Here every unknown
key is named with the closest known key, and every missing key and bad value is named, all at once.
Pure apart from reading the folder: no database.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .usas import (
    APPLICATION_NUMBER,
    ASSESSMENT_ID,
    RATING_COMBINATION,
    REQUIRED,
    VACANCY_ID,
    ImportRejected,
    UsasRow,
    closest,
    read_usas_csv,
)

HURDLE_FILE = "assessmentHurdle.json"
COMPETENCIES_FILE = "competencies.json"
SPECIALTIES_FILE = "specialties.json"
USERS_FILE = "users.json"
APPLICANTS_FILE = "applicants.csv"
FILES = (HURDLE_FILE, COMPETENCIES_FILE, SPECIALTIES_FILE, USERS_FILE, APPLICANTS_FILE)
MAX_FILE_BYTES = 50 * 1024 * 1024

# Limits of the models the import writes (HiringAction.title, Competency.name); a test holds them equal.
TITLE_MAX_LENGTH = 200
COMPETENCY_NAME_MAX_LENGTH = 120

# ART's per-action roles (assessment_hurdle_user.role): 1 HR reviewer, 2 SME evaluator. 0 and 10 pass
# ART's validation but nothing uses them, so they are refused here.
ROLE_HR, ROLE_SME = 1, 2
# A specialty's localId is USA Staffing's rating combination, e.g. "2210-13(INFOSEC)".
_COMBINATION = re.compile(r"(\d{4})-(\d{1,2})\b")


@dataclass(frozen=True)
class Key:
    """One key of a JSON object: its kind, whether it must be there, and what values it may take."""

    kind: str  # text, id (text or whole number), int, bool, list, object
    required: bool = True
    nonempty: bool = True
    choices: tuple[int, ...] | None = None
    minimum: int | None = None


HURDLE_KEYS = {
    "departmentName": Key("text"),
    "componentName": Key("text", required=False, nonempty=False),
    "positionName": Key("text"),
    "assessmentName": Key("text"),
    "positionDetails": Key("text", nonempty=False),
    "locations": Key("text"),
    "startDatetime": Key("text"),
    "endDatetime": Key("text"),
    "hurdleDisplayType": Key("int", choices=(1, 2)),
    "evaluationsRequired": Key("int", minimum=1),
    "hrName": Key("text"),
    "hrEmail": Key("text"),
    "vacancyId": Key("id"),
    "assessmentId": Key("id"),
    "existingId": Key("text", required=False, nonempty=False),
    # Obsolete in ART (their columns were dropped in migration 32); accepted and ignored.
    "passNor": Key("text", required=False, nonempty=False),
    "failNor": Key("text", required=False, nonempty=False),
}
COMPETENCY_KEYS = {
    "name": Key("text"),
    "localId": Key("id"),
    "definition": Key("text", nonempty=False),
    "requiredProficiencyDefinition": Key("text", required=False, nonempty=False),
    "displayType": Key("int", choices=(1, 2, 3)),
    "sortOrder": Key("int", required=False),
    # Required here although ART defaults it: a misspelling must not quietly make a competency optional.
    "screenOut": Key("bool"),
    "selectors": Key("list"),
}
SELECTOR_KEYS = {
    "displayName": Key("text"),
    "pointValue": Key("int", minimum=0),
    "sortOrder": Key("int", required=False),
    "defaultText": Key("text", required=False, nonempty=False),
    "placeholderText": Key("text", required=False, nonempty=False),
}
SPECIALTY_KEYS = {
    "name": Key("text"),
    "localId": Key("id"),
    "categoryRatings": Key("object"),
    "competencyLocalIds": Key("list", required=False),
    "competencyIds": Key("list", required=False),
}
CATEGORY_KEYS = {
    "does_not_meet": Key("object"),
    "meets": Key("object"),
    "exceeds": Key("object", required=False),
}
RATING_KEYS = {"points": Key("int", minimum=0), "nor": Key("text")}
USER_GROUP_KEYS = {"role": Key("int", choices=(ROLE_HR, ROLE_SME)), "users": Key("list")}
USER_KEYS = {"email": Key("text"), "name": Key("text")}


@dataclass(frozen=True)
class ArtHurdle:
    department_name: str
    component_name: str
    position_name: str
    assessment_name: str
    position_details: str
    locations: list[str]
    hr_name: str
    hr_email: str
    vacancy_id: str
    assessment_id: str
    evaluations_required: int

    @property
    def key(self) -> str:
        """What identifies this hurdle across imports: ART keeps USA Staffing's vacancy and assessment."""
        return f"art:{self.vacancy_id}:{self.assessment_id}"


@dataclass(frozen=True)
class ArtCompetency:
    local_id: str
    name: str
    definition: str
    required_proficiency: str
    screen_out: bool
    order: int


@dataclass(frozen=True)
class ArtSpecialty:
    local_id: str
    name: str
    competency_local_ids: tuple[str, ...]


@dataclass(frozen=True)
class ArtUser:
    email: str
    name: str
    role: int

    @property
    def is_hr(self) -> bool:
        return self.role == ROLE_HR


@dataclass(frozen=True)
class ArtApplicant:
    """One applicant: ART groups the export's rows by Application Number, one row per rating combination."""

    application_number: str
    applicant_name: str
    external_data: dict[str, Any]

    @property
    def external_number(self) -> str:
        return self.application_number


@dataclass(frozen=True)
class ArtConfig:
    hurdle: ArtHurdle
    competencies: list[ArtCompetency]
    specialties: list[ArtSpecialty]
    users: list[ArtUser]
    applicants: list[ArtApplicant]
    # From the specialties' rating combinations (2210-13(...)), when they say; else None / [].
    series: str | None = None
    grades: list[int] = field(default_factory=list)


def read_art_folder(folder: str | Path) -> ArtConfig:
    """Read and check the five files of an ART configuration folder. Raises ImportRejected naming
    every problem in every file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportRejected([f"{folder} is not a folder."], what="configuration")
    present = {path.name: path for path in folder.iterdir() if path.is_file()}
    files: dict[str, bytes] = {}
    errors: list[str] = []
    for name in FILES:
        path = present.get(name)
        if path is None:
            match = closest(name, [p for p in present if p not in FILES])
            hint = f"; is “{match}” meant to be it?" if match else "."
            errors.append(f"The folder has no {name}{hint}")
        elif path.stat().st_size > MAX_FILE_BYTES:
            errors.append(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        else:
            files[name] = path.read_bytes()
    if errors:
        raise ImportRejected(errors, what="configuration")
    return parse_art_files(files)


def parse_art_files(files: Mapping[str, str | bytes]) -> ArtConfig:
    """Check an ART configuration given as file name → contents. Raises ImportRejected naming every
    problem; returns the configuration when there is none."""
    errors: list[str] = []
    documents = {name: _load_json(name, files[name], errors) for name in FILES if name.endswith(".json")}
    hurdle = _hurdle(documents[HURDLE_FILE], errors)
    competencies = _competencies(documents[COMPETENCIES_FILE], errors)
    specialties = _specialties(documents[SPECIALTIES_FILE], {c.local_id for c in competencies}, errors)
    users = _users(documents[USERS_FILE], errors)
    if hurdle is not None:
        users = _with_hurdle_hr(hurdle, users, errors)
    applicants = _applicants(files[APPLICANTS_FILE], hurdle, specialties, errors)
    series, grades = _series_and_grades(specialties)
    if errors or hurdle is None:
        raise ImportRejected(errors, what="configuration")
    return ArtConfig(hurdle, competencies, specialties, users, applicants, series, grades)


# --- JSON checking -------------------------------------------------------------------------------


def _load_json(name: str, content: str | bytes, errors: list[str]) -> Any:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            errors.append(f"{name}: the file is not UTF-8 text.")
            return None
    if not content.strip():
        errors.append(f"{name}: the file is empty.")
        return None
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                repeated.append(key)
            seen[key] = value
        return seen

    try:
        document = json.loads(content, object_pairs_hook=pairs)
    except json.JSONDecodeError as error:
        errors.append(f"{name}: not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}.")
        return None
    errors.extend(f"{name}: the key “{key}” appears twice in one object." for key in repeated)
    return document


def _check(value: Any, keys: dict[str, Key], where: str, errors: list[str]) -> dict[str, Any] | None:
    """Check one JSON object against its keys; returns it when nothing is wrong with it."""
    if not isinstance(value, dict):
        errors.append(f"{where}: must be an object in braces {{…}}, but it is {_describe(value)}.")
        return None
    before = len(errors)
    missing = [name for name, key in keys.items() if key.required and name not in value]
    meant: set[str] = set()
    for name in value:
        if name in keys:
            continue
        match = closest(name, missing) or closest(name, keys)
        if match:
            meant.add(match)
            errors.append(f"{where}: unknown key “{name}”; did you mean “{match}”?")
        else:
            errors.append(f"{where}: unknown key “{name}”. The keys are: {', '.join(keys)}.")
    for name in missing:
        if name not in meant:  # already named as the likely meaning of a misspelled key
            errors.append(f"{where}: the required key “{name}” is missing.")
    for name, key in keys.items():
        if name in value:
            problem = _value_problem(value[name], key)
            if problem:
                errors.append(f"{where}: “{name}” {problem}")
    return value if len(errors) == before else None


def _value_problem(value: Any, key: Key) -> str | None:
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if key.kind == "text" and not isinstance(value, str):
        return f"must be text in quotes, but it is {_describe(value)}."
    if key.kind == "id" and not (isinstance(value, str) or is_int):
        return f"must be text or a number, but it is {_describe(value)}."
    if key.kind in {"text", "id"} and key.nonempty and not str(value).strip():
        return "is empty."
    if key.kind == "int":
        if not is_int:
            return f"must be a whole number, but it is {_describe(value)}."
        if key.choices and value not in key.choices:
            return f"must be {' or '.join(str(c) for c in key.choices)}, but it is {value}."
        if key.minimum is not None and value < key.minimum:
            return f"must be {key.minimum} or more, but it is {value}."
    if key.kind == "bool" and not isinstance(value, bool):
        return f"must be true or false, but it is {_describe(value)}."
    if key.kind == "list" and not isinstance(value, list):
        return f"must be a list in brackets […], but it is {_describe(value)}."
    if key.kind == "object" and not isinstance(value, dict):
        return f"must be an object in braces {{…}}, but it is {_describe(value)}."
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the text “{value[:40]}”"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return str(value)


def _text(value: Any) -> str:
    return str(value).strip()


def _top(document: Any, file: str, key: str, errors: list[str]) -> list[Any]:
    """The list under a file's one top-level key ({"competencies": [...]})."""
    if document is None:
        return []
    top = _check(document, {key: Key("list")}, file, errors)
    return top[key] if top else []


def _label(kind: str, index: int, item: Any, name_key: str) -> str:
    name = item.get(name_key) if isinstance(item, dict) else None
    return f"{kind} {index}" + (f" (“{name}”)" if isinstance(name, str) and name.strip() else "")


# --- The five files -------------------------------------------------------------------------------


def _hurdle(document: Any, errors: list[str]) -> ArtHurdle | None:
    if document is None:
        return None
    data = _check(document, HURDLE_KEYS, HURDLE_FILE, errors)
    if data is None:
        return None
    before = len(errors)
    start = _datetime(data["startDatetime"], "startDatetime", errors)
    end = _datetime(data["endDatetime"], "endDatetime", errors)
    if start and end and end < start:
        errors.append(f"{HURDLE_FILE}: “endDatetime” {data['endDatetime']} is before “startDatetime”.")
    email = _text(data["hrEmail"]).lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.append(f"{HURDLE_FILE}: “hrEmail” “{data['hrEmail']}” is not an email address.")
    title = _text(data["positionName"])
    if len(title) > TITLE_MAX_LENGTH:
        errors.append(f"{HURDLE_FILE}: “positionName” is longer than {TITLE_MAX_LENGTH} characters.")
    # ART keeps locations as one line of text; SMEQA keeps one "City, State" per duty location.
    locations = [part.strip() for part in re.split(r"[;\n]", data["locations"]) if part.strip()]
    if len(errors) != before:
        return None
    return ArtHurdle(
        department_name=_text(data["departmentName"]),
        component_name=_text(data.get("componentName", "")),
        position_name=title,
        assessment_name=_text(data["assessmentName"]),
        position_details=_text(data["positionDetails"]),
        locations=locations,
        hr_name=_text(data["hrName"]),
        hr_email=email,
        vacancy_id=_text(data["vacancyId"]),
        assessment_id=_text(data["assessmentId"]),
        evaluations_required=data["evaluationsRequired"],
    )


def _datetime(value: str, key: str, errors: list[str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors.append(
            f"{HURDLE_FILE}: “{key}” “{value}” is not a date and time with a time zone, "
            "like 2025-01-22T21:00:00Z."
        )
        return None
    return moment


def _competencies(document: Any, errors: list[str]) -> list[ArtCompetency]:
    items = _top(document, COMPETENCIES_FILE, "competencies", errors)
    if isinstance(document, dict) and document.get("competencies") == []:
        errors.append(f"{COMPETENCIES_FILE}: there are no competencies.")
    found: list[tuple[int, int, ArtCompetency]] = []
    names: dict[str, str] = {}
    local_ids: dict[str, str] = {}
    for index, item in enumerate(items, start=1):
        where = f"{COMPETENCIES_FILE}, {_label('competency', index, item, 'name')}"
        data = _check(item, COMPETENCY_KEYS, where, errors)
        selectors = data["selectors"] if data else item.get("selectors") if isinstance(item, dict) else None
        _selectors(selectors, where, errors)
        if data is None:
            continue
        name, local_id = _text(data["name"]), _text(data["localId"])
        definition = _text(data["definition"])
        proficiency = _text(data.get("requiredProficiencyDefinition", ""))
        before = len(errors)
        if len(name) > COMPETENCY_NAME_MAX_LENGTH:
            errors.append(f"{where}: “name” is longer than {COMPETENCY_NAME_MAX_LENGTH} characters.")
        if name.casefold() in names:
            errors.append(f"{where}: the name “{name}” is also used by {names[name.casefold()]}.")
        if local_id in local_ids:
            errors.append(f"{where}: the localId “{local_id}” is also used by {local_ids[local_id]}.")
        if not definition and not proficiency:
            # ART allows an empty definition for Yes/No experience checks (displayType 2); SMEQA needs
            # one, and takes the required-proficiency text when that is all there is.
            errors.append(f"{where}: “definition” and “requiredProficiencyDefinition” are both empty.")
        names.setdefault(name.casefold(), f"competency {index}")
        local_ids.setdefault(local_id, f"competency {index}")
        if len(errors) != before:
            continue
        competency = ArtCompetency(
            local_id=local_id,
            name=name,
            definition=definition or proficiency,
            required_proficiency=proficiency,
            screen_out=data["screenOut"],
            order=0,
        )
        found.append((data.get("sortOrder", 0), index, competency))
    found.sort(key=lambda entry: entry[:2])
    return [replace(c, order=order) for order, (_, _, c) in enumerate(found, start=1)]


def _selectors(selectors: Any, where: str, errors: list[str]) -> None:
    if not isinstance(selectors, list):
        return  # the competency's own check names it
    if not selectors:
        errors.append(f"{where}: “selectors” is empty; a reviewer needs at least a Yes and a No.")
    names: set[str] = set()
    for index, item in enumerate(selectors, start=1):
        inner = f"{where}, {_label('selector', index, item, 'displayName')}"
        data = _check(item, SELECTOR_KEYS, inner, errors)
        if data is None:
            continue
        name = _text(data["displayName"])
        if name in names:
            errors.append(f"{inner}: another selector of this competency has the same displayName.")
        names.add(name)


def _specialties(document: Any, competency_ids: set[str], errors: list[str]) -> list[ArtSpecialty]:
    items = _top(document, SPECIALTIES_FILE, "specialties", errors)
    if isinstance(document, dict) and document.get("specialties") == []:
        errors.append(f"{SPECIALTIES_FILE}: there are no specialties.")
    found: list[ArtSpecialty] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        where = f"{SPECIALTIES_FILE}, {_label('specialty', index, item, 'name')}"
        data = _check(item, SPECIALTY_KEYS, where, errors)
        if data is None:
            continue
        before = len(errors)
        ratings = _check(data["categoryRatings"], CATEGORY_KEYS, f"{where}, categoryRatings", errors)
        for level, rating in (ratings or {}).items():
            _check(rating, RATING_KEYS, f"{where}, categoryRatings, {level}", errors)
        lists = [key for key in ("competencyLocalIds", "competencyIds") if key in data]
        if len(lists) != 1:
            errors.append(f"{where}: give exactly one of “competencyLocalIds” and “competencyIds”.")
            continue
        listed = data[lists[0]]
        if not listed:
            errors.append(f"{where}: “{lists[0]}” is empty.")
        for ref in listed:
            if not isinstance(ref, str):
                errors.append(f"{where}, {lists[0]}: {_describe(ref)} is not a competency localId.")
            elif ref not in competency_ids and competency_ids:
                match = closest(ref, competency_ids)
                hint = f"; did you mean “{match}”?" if match else "."
                errors.append(
                    f"{where}, {lists[0]}: “{ref}” is not the localId of a competency in {COMPETENCIES_FILE}{hint}"
                )
        local_id = _text(data["localId"])
        if local_id in seen:
            errors.append(f"{where}: the localId “{local_id}” is also used by specialty {seen[local_id]}.")
        seen.setdefault(local_id, index)
        if len(errors) == before:
            found.append(ArtSpecialty(local_id, _text(data["name"]), tuple(listed)))
    return found


def _users(document: Any, errors: list[str]) -> list[ArtUser]:
    groups = _top(document, USERS_FILE, "userSetup", errors)
    found: dict[str, ArtUser] = {}
    for index, group in enumerate(groups, start=1):
        where = f"{USERS_FILE}, userSetup group {index}"
        data = _check(group, USER_GROUP_KEYS, where, errors)
        if data is None:
            continue
        for position, item in enumerate(data["users"], start=1):
            inner = f"{where}, {_label('user', position, item, 'email')}"
            person = _check(item, USER_KEYS, inner, errors)
            if person is None:
                continue
            email = _text(person["email"]).lower()  # ART lower-cases emails too
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"{inner}: “{person['email']}” is not an email address.")
                continue
            earlier = found.get(email)
            if earlier is not None and earlier.role != data["role"]:
                errors.append(
                    f"{inner}: {email} is listed both as HR (role 1) and as an SME (role 2); "
                    "SMEQA keeps HR and SMEs separate. List them once."
                )
                continue
            found[email] = ArtUser(email=email, name=_text(person["name"]), role=data["role"])
    return list(found.values())


def _with_hurdle_hr(hurdle: ArtHurdle, users: list[ArtUser], errors: list[str]) -> list[ArtUser]:
    """The hurdle's hrEmail is an HR reviewer too (ART shows it as the contact)."""
    listed = {user.email: user for user in users}
    same = listed.get(hurdle.hr_email)
    if same is None:
        return [ArtUser(email=hurdle.hr_email, name=hurdle.hr_name, role=ROLE_HR), *users]
    if not same.is_hr:
        errors.append(
            f"{USERS_FILE}: {hurdle.hr_email} is the hurdle's hrEmail in {HURDLE_FILE} but is listed as an "
            "SME (role 2); SMEQA keeps HR and SMEs separate."
        )
    return users


def _applicants(
    content: str | bytes, hurdle: ArtHurdle | None, specialties: list[ArtSpecialty], errors: list[str]
) -> list[ArtApplicant]:
    """The export's rows grouped by Application Number, with the ART checks ART itself skips: every
    rating combination is a specialty, the vacancy and assessment are this hurdle's, the name agrees."""
    try:
        rows, problems = read_usas_csv(
            content, required=(*REQUIRED, RATING_COMBINATION), unique_numbers=False
        )
    except ImportRejected as rejected:
        rows, problems = [], rejected.errors
    combinations = {s.local_id for s in specialties}
    grouped: dict[str, list[UsasRow]] = {}
    for row in rows:
        combination = row.columns[RATING_COMBINATION]
        if combinations and combination not in combinations:
            match = closest(combination, combinations)
            hint = f"; did you mean “{match}”?" if match else "."
            problems.append(
                f"Row {row.row}: Rating Combination “{combination}” is not the localId of a specialty "
                f"in {SPECIALTIES_FILE}{hint}"
            )
        if hurdle is not None:
            for column, key, wanted in (
                (VACANCY_ID, "vacancyId", hurdle.vacancy_id),
                (ASSESSMENT_ID, "assessmentId", hurdle.assessment_id),
            ):
                value = row.columns.get(column, "")
                if value and value != wanted:
                    problems.append(
                        f"Row {row.row}: {column} {value} is not this hurdle's {key} {wanted} ({HURDLE_FILE})."
                    )
        grouped.setdefault(row.application_number, []).append(row)
    applicants = []
    for number, group in grouped.items():
        first = group[0]
        listed: dict[str, int] = {}
        for row in group:
            combination = row.columns[RATING_COMBINATION]
            if row.applicant_name != first.applicant_name:
                problems.append(
                    f"Row {row.row}: {APPLICATION_NUMBER} {number} is “{row.applicant_name}” here "
                    f"but “{first.applicant_name}” in row {first.row}."
                )
            if combination in listed:
                problems.append(
                    f"Row {row.row}: {APPLICATION_NUMBER} {number} appears twice for the Rating "
                    f"Combination {combination} (also row {listed[combination]})."
                )
            listed.setdefault(combination, row.row)
        data: dict[str, Any] = dict(first.columns)
        data["art_hurdle"] = hurdle.key if hurdle else ""
        data["rating_combinations"] = [row.columns[RATING_COMBINATION] for row in group]
        applicants.append(ArtApplicant(number, first.applicant_name, data))
    errors.extend(f"{APPLICANTS_FILE}: {problem}" for problem in problems)
    return applicants


def _series_and_grades(specialties: Iterable[ArtSpecialty]) -> tuple[str | None, list[int]]:
    """The series and grades the rating combinations name (2210-13(...) → 2210, [13]), when all agree."""
    matches = [_COMBINATION.match(s.local_id) for s in specialties]
    if not matches or not all(matches):
        return None, []
    series = {m.group(1) for m in matches if m}
    grades = sorted({int(m.group(2)) for m in matches if m})
    if len(series) != 1 or not all(1 <= g <= 15 for g in grades):
        return None, []
    return series.pop(), grades
