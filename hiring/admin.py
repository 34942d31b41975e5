"""Django admin for staff superusers. Read-mostly: statuses change through services, never here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import services
from .models import (
    AccountEvent,
    ActionRole,
    Agency,
    AgencyRole,
    Application,
    AuditEvent,
    HiringAction,
    Notice,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "agency", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "agency"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "agency"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(AgencyRole)
class AgencyRoleAdmin(admin.ModelAdmin):
    """Where a staff superuser makes someone an agency HR specialist (who may then create actions)."""

    list_display = ["user", "agency", "role"]
    list_filter = ["agency"]
    autocomplete_fields = ["user"]


class ActionRoleInline(admin.TabularInline):
    """Read-only: roles are granted through hiring.services.action_role_grant, which audits and
    enforces SMEQA's role rules."""

    model = ActionRole
    extra = 0
    readonly_fields = ["user", "role", "granted_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HiringAction)
class HiringActionAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "series", "grade", "phase"]
    list_filter = ["phase", "agency"]
    readonly_fields = ["phase", "phase_changed_at", "job_analysis_version", "job_analysis_finalized_at"]
    inlines = [ActionRoleInline]

    def has_add_permission(self, request) -> bool:
        return False  # HR creates actions in the app, where the agency role is checked and audited


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["candidate", "action", "status", "submitted_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "status_changed_at"]
    list_select_related = ["candidate", "action"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "from_state", "to_state", "actor", "actor_role"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """A person's account history (sign-up, new passwords, two-step sign-in set up): search by their
    email. Read-only: each row is written beside the change it records."""

    list_display = ["created_at", "user", "kind"]
    list_filter = ["kind"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    readonly_fields = ["created_at", "user", "kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "code", "subject", "delivery", "attempts", "next_attempt_at"]
    list_filter = ["delivery", "code"]
    readonly_fields = [f.name for f in Notice._meta.fields]
    actions = ["resend"]

    @admin.action(description="Email the selected notices again (failed or not delivered ones only)")
    def resend(self, request, queryset) -> None:
        ids = services.notices_resend(
            actor=request.user, notice_ids=list(queryset.values_list("pk", flat=True))
        )
        noun = "notice" if len(ids) == 1 else "notices"
        self.message_user(request, f"{len(ids)} {noun} queued to be emailed again.")
