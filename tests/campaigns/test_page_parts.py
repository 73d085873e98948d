"""A campaign page gets what it shows of actions (the form, the count, the answers, the
count's breakdown) from the app that takes them, through Wagtail hooks: exactly one each."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

from campaigns import page_parts
from signatures.answers import answers_for
from signatures.count_breakdown import breakdown
from signatures.counter import displayed_count
from signatures.forms import SignatureForm


def test_signatures_gives_the_page_each_part():
    assert page_parts.provided(page_parts.ACTION_FORM) is SignatureForm
    assert page_parts.provided(page_parts.ACTION_COUNT) is displayed_count
    assert page_parts.provided(page_parts.ANSWERS) is answers_for
    assert page_parts.provided(page_parts.COUNT_BREAKDOWN) is breakdown


def test_a_part_no_app_gives_stops_the_page():
    with pytest.raises(ImproperlyConfigured, match="0 apps give"):
        page_parts.provided("clarion_campaign_nothing_gives_this")


def test_a_part_two_apps_give_stops_the_page():
    with hooks.register_temporarily(page_parts.ACTION_FORM, lambda campaign: None):
        with pytest.raises(ImproperlyConfigured, match="2 apps give"):
            page_parts.provided(page_parts.ACTION_FORM)
