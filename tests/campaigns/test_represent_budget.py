"""Represent's own rate limit (60 requests a minute on its free plan, issue 32 point 5):
the calls of every process share one budget; past it the directory's table answers, or the
action is taken and its letter waits, never refused. Against a fake Represent on loopback
that counts the calls it answers, through the campaign's form."""

import pytest
from django.urls import reverse

from campaigns import lookup_guard
from signatures.models import Delivery, Signature
from signatures.services import dispatch
from tests.campaigns import test_represent_provider as provider_tests
from tests.factories import representative, representative_campaign

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The fake Represent on loopback, and its directory.
represent, commons = provider_tests.represent, provider_tests.commons


def test_the_budget_allows_so_many_calls_in_its_window_then_none(either_cache, settings):
    settings.CLARION_REPRESENT_BUDGET = "3/60"
    assert [lookup_guard.spend_budget() for _call in range(5)] == [True] * 3 + [False] * 2


def test_no_budget_is_kept_when_it_is_switched_off(settings):
    settings.CLARION_REPRESENT_BUDGET = "0/60"
    assert all(lookup_guard.spend_budget() for _call in range(100))


def test_a_spent_budget_asks_nothing_and_is_no_failure(either_cache, represent, commons, settings):
    from campaigns.representatives import LookupUnavailable, find

    settings.CLARION_REPRESENT_BUDGET = "1/60"
    assert find(commons, "K1A 0A1")[0].name == "Bea Ottawa"
    for _code in range(10):  # more than the breaker's five failures
        with pytest.raises(lookup_guard.OverBudget):
            find(commons, "K1A 0A2")
    assert len(represent.paths) == 1
    assert not lookup_guard.breaker_open()
    assert issubclass(lookup_guard.OverBudget, LookupUnavailable)  # callers treat it so


@pytest.mark.redis
def test_200_new_codes_within_the_budget_s_window_make_at_most_60_calls_and_every_action_is_taken(
    client, redis_cache, represent, commons, site, settings
):
    # Represent's free plan allows 60 a minute; the window here is an hour so that a slow
    # machine (200 posts can take over a minute under load) cannot open a second one.
    settings.CLARION_REPRESENT_BUDGET = "60/3600"
    settings.CLARION_RATE_LIMIT = "1000/300"  # one test client sends them all
    # The table knows the codes beginning K1A1, not those beginning K1A0.
    representative(commons, "Dee Table", ["K1A1"], district="Ottawa Centre")
    campaign = representative_campaign(site.root_page, commons)
    url = reverse("signatures:sign", args=[campaign.pk])

    answers = {}
    for number in range(200):
        code = f"K1A{number:03d}"
        response = client.post(
            url,
            {
                "first_name": "Ana",
                "last_name": "Okonjo",
                "email": f"supporter{number}@example.org",
                "postal_code": code,
            },
        )
        assert response.status_code == 200, code
        answers[code] = response.content.decode()

    assert len(represent.paths) == 60  # at most the budget, and all of it used
    assert Signature.objects.count() == 200  # every action taken
    asked = {path.rstrip("/").rpartition("/")[2] for path in represent.paths}
    for code, html in answers.items():
        if code in asked:
            assert "<strong>Bea Ottawa</strong>" in html  # Represent's answer
        elif code.startswith("K1A1"):
            assert "<strong>Dee Table</strong>" in html  # the table's, the budget spent
        else:
            assert "as soon as we have found them" in html  # nobody can tell now

    # Dispatching asks no more of Represent: its answers were kept, the rest wait.
    assert dispatch.dispatch_waiting(limit=500) == 200
    assert len(represent.paths) == 60
    held = Signature.objects.filter(dispatched_at__isnull=True)
    assert {s.postal_code for s in held} == {code for code in answers if code[3] == "0"} - asked
    assert not Delivery.objects.filter(signature__in=held).exists()
    assert Delivery.objects.count() == 200 - held.count()  # one letter each

    # A minute later the budget is there again: a held letter goes to whom Represent finds.
    redis_cache.delete(lookup_guard.BUDGET_KEY)
    waiting = held.first()
    dispatch.dispatch_signature(waiting.pk)
    assert Delivery.objects.get(signature=waiting).target.name == "Bea Ottawa"
