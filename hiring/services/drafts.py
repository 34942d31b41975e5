"""Application drafts: what a candidate typed and uploaded, kept until they submit."""

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from smeqa.errors import DomainError

from ..models import ApplicationDocument, ApplicationDraft, HiringAction, User
from ..uploads import check_pdf

DOCUMENT_LABELS = dict(ApplicationDocument.Kind.choices)


@transaction.atomic
def application_draft_save(
    *, action: HiringAction, candidate: User, data: dict, uploads: dict[str, object]
) -> tuple[ApplicationDraft, dict[str, str]]:
    """Keep the candidate's answers and every upload that passes the PDF checks.

    Returns the draft and a plain reason per refused file (keyed by kind); a refused file replaces
    nothing already kept. Writes the draft and the accepted documents.
    """
    draft, _ = ApplicationDraft.objects.select_for_update().get_or_create(action=action, candidate=candidate)
    draft.data = {**draft.data, **data}
    draft.updated_at = timezone.now()
    draft.save()
    errors: dict[str, str] = {}
    for kind, upload in uploads.items():
        if upload is None:
            continue
        raw = upload.read()
        try:
            checked = check_pdf(raw, field=kind, label=DOCUMENT_LABELS[kind])
        except DomainError as refused:
            errors[kind] = refused.message
            continue
        draft.documents.filter(kind=kind).delete()
        document = ApplicationDocument(
            key=uuid.uuid4(),
            action=action,
            draft=draft,
            kind=kind,
            original_name=(getattr(upload, "name", "") or f"{kind}.pdf")[:255],
            pages=checked.page_count,
            size=checked.size,
            sha256=checked.sha256,
        )
        document.file.save(f"{document.key}.pdf", ContentFile(raw), save=False)
        document.save()
    return draft, errors


def application_draft_of(*, action: HiringAction, candidate: User) -> ApplicationDraft | None:
    """The candidate's saved draft for this action, with its documents, if any."""
    return (
        ApplicationDraft.objects.filter(action=action, candidate=candidate)
        .prefetch_related("documents")
        .first()
    )
