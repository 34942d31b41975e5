"""Import a USA Staffing applicant export into a hiring action, as one of its HR specialists.

    python manage.py import_usas 12 applicants.csv --actor hr@agency.gov

All or nothing: any problem in the file prints every problem, row by row, saves nothing and exits 1.
Importing the same file again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hiring.imports.usas import ImportRejected, parse_usas_csv
from hiring.models import HiringAction, User
from hiring.services.imports import applications_import_usas
from smeqa.errors import DomainError


class Command(BaseCommand):
    help = "Import applicants from a USA Staffing applicant export (CSV) into a hiring action."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action_id", type=int, help="The hiring action's number.")
        parser.add_argument("file", type=Path, help="The CSV exported from USA Staffing.")
        parser.add_argument("--actor", required=True, help="Email of an HR specialist of the action.")

    def handle(self, *args, action_id: int, file: Path, actor: str, **options) -> None:
        user = User.objects.filter(email__iexact=actor.strip()).first()
        if user is None:
            raise CommandError(f"No one signs in as {actor}.")
        action = HiringAction.objects.filter(pk=action_id).first()
        if action is None:
            raise CommandError(f"There is no hiring action {action_id}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            rows = parse_usas_csv(data)
            result = applications_import_usas(action=action, actor=user, rows=rows)
        except ImportRejected as rejected:
            for problem in rejected.errors:
                self.stderr.write(problem)
            raise CommandError(rejected.message) from None
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(result.summary))
