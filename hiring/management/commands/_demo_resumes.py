"""Realistic demo resumes, rendered as PDFs with WeasyPrint (used by seed_demo only)."""

from django.utils.html import escape
from weasyprint import HTML

JOBS = [
    ("Senior UX Designer", "State Digital Service", "2021 to now", [
        "Led research with 40 residents to redesign the benefits application; completion rose 31%.",
        "Built the design system used by six product teams, with accessible components.",
        "Ran usability tests every sprint and turned findings into prioritized changes.",
    ]),
    ("UX Designer", "City Transit Authority", "2017 to 2021", [
        "Designed the trip planner used by 200,000 riders a month.",
        "Worked with engineers to ship weekly releases; wrote acceptance criteria.",
        "Presented research findings to executives and the board.",
    ]),
    ("Designer", "Nonprofit Press", "2014 to 2017", [
        "Designed print and web layouts for a monthly magazine.",
        "Managed contributors and production schedules.",
    ]),
]  # fmt: skip


def resume_pdf(name: str, pages: int = 3) -> bytes:
    """A resume for `name`, padded to about `pages` pages so the page limit is visible in the demo."""
    jobs = "".join(
        f"<h2>{escape(title)}, {escape(org)}</h2><p class='when'>{escape(when)}</p><ul>"
        + "".join(f"<li>{escape(point)}</li>" for point in points)
        + "</ul>"
        for title, org, when, points in JOBS
    )
    filler = "".join(
        f"<div style='page-break-before: always'><h2>Additional experience, page {n}</h2>"
        "<p>Volunteer design work and community workshops on plain language and accessibility.</p></div>"
        for n in range(2, pages + 1)
    )
    html = f"""<html><head><style>
      body {{ font-family: DejaVu Sans, sans-serif; font-size: 11pt; margin: 1in; }}
      h1 {{ font-size: 20pt; margin-bottom: 0; }} h2 {{ font-size: 12pt; margin-bottom: 0; }}
      .when {{ color: #555; margin-top: 0; }}
    </style></head><body><h1>{escape(name)}</h1><p>name@example.test · Washington, DC</p>{jobs}{filler}</body></html>"""
    return HTML(string=html).write_pdf()
