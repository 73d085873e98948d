"""Widgets of the action form, written out in Python rather than through templates.

The action form is rendered with every view of a campaign page that is not served from the
cache, and again with every rejected action. Django renders each widget through two
templates (its element, then its attributes), and each <option> of a <select> through two
more: for this form's ten fields and 250 countries that was most of the page's cost. These
widgets keep Django's context (`get_context`: value, checked, required, aria attributes)
and only write the final element themselves, as Django's templates would.
"""

import copy

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language


def attributes_html(attrs) -> str:
    """As django/forms/widgets/attrs.html: in order; True as a bare name; False left out."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class PlainInput:
    """<input>, as django/forms/widgets/input.html writes it."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            "" if value is None else format_html(' value="{}"', value),
            attributes_html(widget["attrs"]),
        )


class TextInput(PlainInput, forms.TextInput):
    pass


class EmailInput(PlainInput, forms.EmailInput):
    pass


class CheckboxInput(PlainInput, forms.CheckboxInput):
    pass


class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            attributes_html(widget["attrs"]),
            widget["value"] or "",
        )


class CountrySelect(forms.Select):
    """A <select> of the ~250 countries whose options are written once per language.

    The supporter's choice is marked on a copy of the options' HTML. The choices are set
    when the form class is built (SignatureForm.country), named in each language as it is
    written: the copies of this widget, one per form, share the written options.
    """

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        # language -> (options' HTML, the same option selected, position of each value)
        self._written = {}

    def __deepcopy__(self, memo):
        # Every form copies its fields; the fixed choices need no copy (nor re-normalising).
        widget = copy.copy(self)
        widget.attrs = self.attrs.copy()
        memo[id(self)] = widget
        return widget

    def render(self, name, value, attrs=None, renderer=None):
        # Widget.get_context, not ChoiceWidget's: that one builds 250 option dicts.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            attributes_html(widget["attrs"]),
            self._options_html(widget["value"]),
        )

    def _options_html(self, values):
        options, selected_options, positions = self._written_options()
        options = list(options)
        # As Django's Select: the first submitted value that is a choice is selected.
        for value in values:
            if (position := positions.get(value)) is not None:
                options[position] = selected_options[position]
                break
        return mark_safe("".join(options))

    def _written_options(self):
        language = get_language()
        if language not in self._written:
            choices = [
                ("" if value is None else str(value), label) for value, label in self.choices
            ]
            self._written[language] = (
                [format_html('\n  <option value="{}">{}</option>', *c) for c in choices],
                [format_html('\n  <option value="{}" selected>{}</option>', *c) for c in choices],
                _first_positions(value for value, _label in choices),
            )
        return self._written[language]


def _first_positions(values):
    positions = {}
    for position, value in enumerate(values):
        positions.setdefault(value, position)
    return positions
