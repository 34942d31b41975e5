"""The announcement: HR edits and publishes; SMEs and the hiring manager read and comment."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from smeqa.errors import DomainError

from .. import selectors, services
from ..forms import AnnouncementForm, CommentForm, PublishForm
from ..models import Announcement, Comment, Role
from ..services.announcements import EDITABLE_FIELDS


def announcement(request: HttpRequest, pk: int, form=None, publish_form=None) -> HttpResponse:
    action, roles = selectors.action_for_member(user=request.user, pk=pk)
    joa = Announcement.objects.filter(action=action).first()
    if joa is None:
        messages.info(request, "The announcement is drafted when HR finalizes the job analysis.")
        return redirect("hiring:job_analysis", pk=action.pk)
    is_hr = Role.HR in roles
    editable = is_hr and joa.state == Announcement.State.DRAFT
    if editable and form is None:
        form = AnnouncementForm(instance=joa, initial={"revision": joa.revision})
    return render(
        request,
        "hiring/announcement.html",
        {
            "action": action,
            "announcement": joa,
            "is_hr": is_hr,
            "form": form if editable else None,
            "publish_form": (publish_form or PublishForm()) if editable else None,
            "accepting": services.accepting(joa),
            "comments": Comment.objects.filter(
                action=action, topic=Comment.Topic.ANNOUNCEMENT
            ).select_related("author"),
            "comment_form": CommentForm(),
        },
    )


@require_POST
def announcement_save(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    joa = Announcement.objects.filter(action=action).first()
    if joa is None:
        return redirect("hiring:job_analysis", pk=action.pk)
    form = AnnouncementForm(request.POST, instance=Announcement.objects.get(pk=joa.pk))
    if form.is_valid():
        try:
            services.announcement_update(
                announcement_id=joa.pk,
                actor=request.user,
                revision=form.cleaned_data["revision"],
                **{name: form.cleaned_data[name] for name in EDITABLE_FIELDS},
            )
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, "Announcement saved.")
            return redirect("hiring:announcement", pk=action.pk)
    return announcement(request, pk, form=form)


@require_POST
def announcement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(user=request.user, pk=pk, role=Role.HR)
    joa = Announcement.objects.filter(action=action).first()
    if joa is None:
        return redirect("hiring:job_analysis", pk=action.pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.announcement_publish(announcement_id=joa.pk, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Published. The job is listed at /jobs/{joa.pk}/.")
            return redirect("hiring:announcement", pk=action.pk)
    return announcement(request, pk, publish_form=form)
