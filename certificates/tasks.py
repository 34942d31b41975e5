"""Background work for certificates. Tasks take ids and call a function; running one twice is harmless."""

from celery import shared_task

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
