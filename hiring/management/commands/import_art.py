"""Import a hiring action from an Assessment Review Tool (ART) configuration folder.

    python manage.py import_art path/to/folder --agency-code HE --actor hr@agency.gov

The folder holds ART's five files: assessmentHurdle.json, competencies.json, specialties.json,
users.json and applicants.csv. Every unknown or misspelled key, missing key and bad value is printed at
once, nothing is saved, and the command exits 1. Importing the same folder again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hiring.imports.art import read_art_folder
from hiring.imports.usas import ImportRejected
from hiring.models import Agency, User
from hiring.services.imports import hiring_action_import_art
from smeqa.errors import DomainError


def grade_list(value: str) -> list[int]:
    try:
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValueError("grades are whole numbers separated by commas, like 12,13") from None


class Command(BaseCommand):
    help = "Import a hiring action, its competencies, SMEs and applicants from an ART configuration folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="The folder with ART's five configuration files.")
        parser.add_argument("--agency-code", required=True, help="The code of the agency, e.g. HE.")
        parser.add_argument("--actor", required=True, help="Email of an HR specialist of the agency.")
        parser.add_argument(
            "--series", help="Occupational series, when specialties.json localIds do not say (2210-13(...))."
        )
        parser.add_argument("--grades", type=grade_list, help="Grades, e.g. 12,13, when localIds do not say.")

    def handle(self, *args, folder: Path, agency_code: str, actor: str, **options) -> None:
        agency = Agency.objects.filter(code__iexact=agency_code.strip()).first()
        if agency is None:
            raise CommandError(f"There is no agency with the code {agency_code}.")
        user = User.objects.filter(email__iexact=actor.strip()).first()
        if user is None:
            raise CommandError(f"No one signs in as {actor}.")
        try:
            config = read_art_folder(folder)
            result = hiring_action_import_art(
                agency=agency, actor=user, config=config, series=options["series"], grades=options["grades"]
            )
        except ImportRejected as rejected:
            for problem in rejected.errors:
                self.stderr.write(problem)
            raise CommandError(rejected.message) from None
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(result.summary))
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
