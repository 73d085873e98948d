"""Widgets of the action form."""

import copy

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


class CountrySelect(forms.Select):
    """A <select> of the ~250 countries whose options are rendered once per language.

    Django renders every <option> through its own template: 250 template renders were most
    of the cost of the campaign page and of every rejected action. The options' HTML is
    built once per language and the supporter's choice is marked on a copy of it; the
    <select> itself (name, id, required, aria attributes) still renders with the field.

    The choices are fixed when the form class is built (SignatureForm.country): copies of
    this widget, one per form, share the rendered options.
    """

    template_name = "signatures/widgets/country_select.html"

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        # language -> (options' HTML, the same option selected, position of each value)
        self._rendered = {}

    def __deepcopy__(self, memo):
        # Every form copies its fields; the fixed choices need no copy (nor re-normalising).
        widget = copy.copy(self)
        widget.attrs = self.attrs.copy()
        memo[id(self)] = widget
        return widget

    def get_context(self, name, value, attrs):
        # Widget.get_context, not ChoiceWidget's: that one builds 250 option dicts.
        context = forms.Widget.get_context(self, name, value, attrs)
        context["widget"]["options"] = self._options_html(context["widget"]["value"])
        return context

    def _options_html(self, values):
        options, selected_options, positions = self._rendered_options()
        options = list(options)
        # As Django's Select: the first submitted value that is a choice is selected.
        for value in values:
            if (position := positions.get(value)) is not None:
                options[position] = selected_options[position]
                break
        return mark_safe("".join(options))

    def _rendered_options(self):
        language = get_language()
        if language not in self._rendered:
            choices = [
                ("" if value is None else str(value), label) for value, label in self.choices
            ]
            self._rendered[language] = (
                [format_html('\n  <option value="{}">{}</option>', *c) for c in choices],
                [format_html('\n  <option value="{}" selected>{}</option>', *c) for c in choices],
                _first_positions(value for value, _label in choices),
            )
        return self._rendered[language]


def _first_positions(values):
    positions = {}
    for position, value in enumerate(values):
        positions.setdefault(value, position)
    return positions
