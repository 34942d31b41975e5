"""hiring.rules: plain values in, answers out; no database."""

from datetime import date

import pytest

from hiring.rules import (
    CompetencySpec,
    Intake,
    QuestionSpec,
    accepting_applications,
    add_business_days,
    job_analysis_review,
    next_step,
    sentence_count,
)

LEVELS = ["meets", "exceeds"]


def competency(name, definition="Does the work. Explains it.", level="meets"):
    return CompetencySpec(name, definition, {"13": level}, {"meets": "a", "exceeds": "b"})


def review(competencies, questions, experience="52 weeks at GS-12."):
    return job_analysis_review(
        competencies=competencies,
        questions=questions,
        grades=[13],
        levels=LEVELS,
        specialized_experience=experience,
    )


def test_a_complete_job_analysis_is_ready():
    names = ["A", "B", "C", "D"]
    result = review(
        [competency(n) for n in names], [QuestionSpec(1, ("A", "B")), QuestionSpec(1, ("C", "D"))]
    )
    assert result.ready
    assert result.warnings == []


def test_fewer_than_four_competencies_warns_but_does_not_block():
    result = review([competency("A")], [QuestionSpec(1, ("A",))])
    assert result.ready
    assert "usually settle on 4 to 6" in result.warnings[0]


def test_a_definition_over_three_sentences_blocks():
    long = "One. Two. Three. Four."
    result = review([competency("A", long)], [QuestionSpec(1, ("A",))])
    assert "defined in 4 sentences" in " ".join(result.problems)


def test_every_competency_needs_a_level_for_each_grade():
    result = review([competency("A", level="")], [QuestionSpec(1, ("A",))])
    assert "needs the level required at grade 13" in " ".join(result.problems)


def test_each_round_used_must_cover_every_competency():
    result = review(
        [competency("A"), competency("B")], [QuestionSpec(1, ("A", "B")), QuestionSpec(2, ("A",))]
    )
    assert result.problems == [
        "Round 2 questions do not cover: B. Every competency needs at least one question in each round used."
    ]


def test_round_one_is_always_required():
    result = review([competency("A")], [])
    assert "Round 1 questions do not cover: A." in " ".join(result.problems)


def test_specialized_experience_is_required():
    result = review([competency("A")], [QuestionSpec(1, ("A",))], experience="")
    assert "52 weeks of specialized experience" in " ".join(result.problems)


def test_sentence_count():
    assert sentence_count("") == 0
    assert sentence_count("Builds things") == 1
    assert sentence_count("Builds things. Tests them! Ships?") == 3


def intake(**overrides):
    values = dict(
        state="published",
        opens_on=date(2026, 11, 1),
        closes_on=date(2026, 11, 30),
        cap=None,
        cap_rule="exact",
        cap_reached_on=None,
        received=0,
    )
    return Intake(**(values | overrides))


@pytest.mark.parametrize(
    ("overrides", "today", "expected"),
    [
        ({}, date(2026, 11, 15), (True, "")),
        ({"state": "draft"}, date(2026, 11, 15), (False, "This job is not open for applications.")),
        ({}, date(2026, 10, 31), (False, "This job opens for applications on November 1, 2026.")),
        ({}, date(2026, 12, 1), (False, "This job closed on November 30, 2026.")),
        ({"closes_on": None, "cap": 100, "received": 99}, date(2026, 11, 15), (True, "")),
        (
            {"closes_on": None, "cap": 100, "received": 100},
            date(2026, 11, 15),
            (False, "This job closed after receiving 100 applications."),
        ),
        # End-of-day cap: open through the day the cap is reached, closed the day after.
        (
            {"cap": 100, "cap_rule": "end_of_day", "received": 130, "cap_reached_on": date(2026, 11, 15)},
            date(2026, 11, 15),
            (True, ""),
        ),
        (
            {"cap": 100, "cap_rule": "end_of_day", "received": 130, "cap_reached_on": date(2026, 11, 15)},
            date(2026, 11, 16),
            (False, "This job closed at midnight on November 15, 2026, after 100 applications."),
        ),
    ],
)
def test_accepting_applications(overrides, today, expected):
    assert accepting_applications(intake(**overrides), today) == expected


def test_business_days_skip_weekends():
    assert add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday → Monday
    assert add_business_days(date(2026, 11, 16), 5) == date(2026, 11, 23)


def test_next_step_dates_resume_review_from_the_close_date():
    text, when = next_step("received", since=date(2026, 11, 2), closes_on=date(2026, 11, 13))
    assert "After the announcement closes" in text
    assert when == date(2026, 11, 20)
    assert next_step("selected", since=date(2026, 11, 2)) == ("", None)
