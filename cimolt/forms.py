"""Every Django form renders as NL Design System form fields: the renderer picks our templates
and the bound field gives each widget its Utrecht class, so no form has to say so itself."""

from django.forms import BoundField, widgets
from django.forms.renderers import TemplatesSetting

WIDGET_CLASSES = [
    (
        widgets.CheckboxInput,
        "utrecht-checkbox utrecht-checkbox--html-input",
        "utrecht-checkbox--invalid",
    ),
    (
        widgets.RadioSelect,
        "utrecht-radio-button utrecht-radio-button--html-input",
        "utrecht-radio-button--invalid",
    ),
    (
        widgets.CheckboxSelectMultiple,
        "utrecht-checkbox utrecht-checkbox--html-input",
        "utrecht-checkbox--invalid",
    ),
    (widgets.Select, "utrecht-select utrecht-select--html-select", "utrecht-select--invalid"),
    (
        widgets.Textarea,
        "utrecht-textarea utrecht-textarea--html-textarea",
        "utrecht-textarea--invalid",
    ),
    (widgets.Input, "utrecht-textbox utrecht-textbox--html-input", "utrecht-textbox--invalid"),
]


class UtrechtBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        for widget_class, css, invalid_css in WIDGET_CLASSES:
            if isinstance(widget, widget_class):
                extra = f"{css} {invalid_css}" if self.errors else css
                attrs["class"] = f"{attrs.get('class', '')} {extra}".strip()
                break
        return attrs


class FormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = UtrechtBoundField
