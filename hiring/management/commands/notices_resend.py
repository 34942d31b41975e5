"""Email again the candidate notices that failed or were given up on, once the cause is fixed.

    python manage.py notices_resend --list            # what is failed or undelivered, and why
    python manage.py notices_resend                   # all of them
    python manage.py notices_resend --action 12       # those of one hiring action
    python manage.py notices_resend --notice 345 --notice 346

Each notice gets a fresh set of retries and is queued now; one already sent is never sent again.
See docs/operations.md.
"""

from django.core.management.base import BaseCommand

from hiring.models import Notice
from hiring.services import notices_resend


class Command(BaseCommand):
    help = "Email again the candidate notices whose delivery failed or was given up on."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--action", type=int, help="Only the notices of this hiring action (its id).")
        parser.add_argument(
            "--notice", type=int, action="append", help="Only this notice (its id); repeatable."
        )
        parser.add_argument(
            "--list",
            dest="list_only",
            action="store_true",
            help="List them with their last error; send nothing.",
        )

    def handle(self, *args, action: int | None, notice: list[int] | None, list_only: bool, **options) -> None:
        notices = Notice.objects.filter(delivery__in=[Notice.Delivery.FAILED, Notice.Delivery.UNDELIVERED])
        if action is not None:
            notices = notices.filter(application__action_id=action)
        if notice:
            notices = notices.filter(pk__in=notice)
        if list_only:
            for row in notices.order_by("created_at", "id"):
                self.stdout.write(
                    f"{row.pk}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.get_delivery_display()}\t"
                    f"attempts {row.attempts}\t{row.last_error}"
                )
            return
        ids = notices_resend(actor=None, notice_ids=[n.pk for n in notices.only("pk")])
        noun = "notice" if len(ids) == 1 else "notices"
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} {noun} queued to be emailed again."))
