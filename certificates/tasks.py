"""Background work for certificates. Tasks take ids and call a function; running one twice is harmless."""

from celery import shared_task

from hiring.tasks import publish

from .models import Certificate
from .pdf import certificate_pdf_store


@shared_task(bind=True, max_retries=3, time_limit=300, soft_time_limit=240)
def certificate_pdf_render(self, certificate_id: int) -> bool:
    """Render the certificate's PDF and store it (pdf_state ready, or failed with the error)."""
    try:
        return certificate_pdf_store(certificate_id)
    except Exception as exc:
        if self.request.is_eager:
            return False  # in-process mode: the page shows the failure; HR can re-issue the render
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


def certificate_pdf_render_soon(certificate_id: int) -> bool:
    """Queue the drawing of a certificate's PDF; services call it from transaction.on_commit. With the
    broker down its PDF stays pending for `certificate_pdfs_render_pending`, and the page succeeds."""
    return publish(
        certificate_pdf_render.delay, certificate_id, left_for="certificate PDF left for the sweep"
    )


@shared_task(time_limit=60, soft_time_limit=45)
def certificate_pdfs_render_pending() -> int:
    """Beat's sweep: queue every certificate whose PDF is still pending (its task was lost, or the
    broker was down when it was issued). A PDF queued twice is drawn twice to the same result."""
    ids = list(Certificate.objects.filter(pdf_state=Certificate.Pdf.PENDING).values_list("pk", flat=True))
    for certificate_id in ids:
        certificate_pdf_render.delay(certificate_id)
    return len(ids)
