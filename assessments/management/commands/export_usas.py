"""Write a hiring action's resume-review results as CSV: the USA Staffing import, or the audit file.

    python manage.py export_usas 12 resume-review                      # USA Staffing import, to stdout
    python manage.py export_usas 12 resume-review --output rr.csv      # ... to a file
    python manage.py export_usas 12 resume-review --audit              # every review, return, recusal

Reads only. An unknown action or export kind prints one plain sentence and exits 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import exports
from hiring.models import HiringAction

KINDS = ("resume-review",)


class _Stdout:
    """The command's stdout as a plain file-like: csv.writer ends its own lines."""

    def __init__(self, wrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")


class Command(BaseCommand):
    help = "Write a hiring action's resume-review results as a USA Staffing import CSV (or, with --audit, the audit CSV)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action_id", help="The hiring action's number.")
        parser.add_argument("kind", help="What to export: " + ", ".join(KINDS) + ".")
        parser.add_argument(
            "--audit",
            action="store_true",
            help="Every review, tiebreak, return and recusal instead of the USA Staffing import.",
        )
        parser.add_argument("--output", type=Path, help="Write to this file instead of standard output.")

    def handle(self, *args, action_id: str, kind: str, audit: bool, output: Path | None, **options) -> None:
        action = HiringAction.objects.filter(pk=int(action_id)).first() if action_id.isdecimal() else None
        if action is None:
            raise CommandError(f"There is no hiring action {action_id}.")
        if kind not in KINDS:
            raise CommandError(f"There is no export called “{kind}”; choose one of: {', '.join(KINDS)}.")
        write = exports.write_resume_review_audit_csv if audit else exports.write_usas_resume_review_csv
        if output is None:
            write(action, _Stdout(self.stdout))
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as file:
                rows = write(action, file)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {rows:,} row{'' if rows == 1 else 's'} to {output}."))
