"""Form markup written once: USWDS classes and ARIA wiring live here and in
templates/django/forms/; page templates render `{{ form }}` or `{{ field.as_field_group }}`."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input

WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "usa-checkbox__input"),
    (forms.RadioSelect, "usa-radio__input"),
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.Select, "usa-select"),
    (forms.Textarea, "usa-textarea"),
    (forms.FileInput, "usa-file-input"),
    (Input, "usa-input"),
]


def _uswds_class(widget: forms.Widget) -> str:
    for widget_type, css in WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            return css
    return ""


class UswdsBoundField(forms.BoundField):
    """Adds the USWDS class, the error state and `aria-describedby` pointing at hint and error."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = _uswds_class(widget)
        if self.errors and css in {"usa-input", "usa-select", "usa-textarea"}:
            css += f" {css}--error"
        attrs["class"] = " ".join(filter(None, [css, attrs.get("class", "")]))
        described_by = []
        if self.help_text:
            described_by.append(self.hint_id)
        if self.errors:
            described_by.append(self.error_id)
            attrs["aria-invalid"] = "true"
        if described_by and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def is_choice_group(self) -> bool:
        return isinstance(self.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxInput)


class UswdsFormRenderer(TemplatesSetting):
    form_template_name = "django/forms/uswds_form.html"
    field_template_name = "django/forms/uswds_field.html"
    bound_field_class = UswdsBoundField


def posted_version(request) -> int:
    """The `version` a page posted back (the optimistic check in the services); 0 when missing or bad,
    which no row has, so the service refuses it as stale."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else 0
