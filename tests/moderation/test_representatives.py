"""Moderating a campaign that writes to representatives: its deliveries by representative,
its actions per representative and district, and who each exported action wrote to."""

import csv
import io

import pytest

from reporting.figures import actions_by_representative
from signatures.models import Delivery
from signatures.services import dispatch, export, signing
from tests.factories import representative_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(site, directory):
    """Three actions: two from Ottawa, one from Toronto, each dispatched."""
    campaign = representative_campaign(site.root_page, directory)
    for n, code in enumerate(["K1A 0A6", "K1A 0B1", "M5V 2T6"]):
        details = {"first_name": f"S{n}", "last_name": "T", "email": f"s{n}@example.org"}
        signature, _new = signing.record_signature(campaign, details | {"postal_code": code})
        dispatch.dispatch_signature(signature.pk)
    return campaign


def test_deliveries_filter_by_representative_and_directory(moderator_client, signed, directory):
    bea = directory.representatives.get(name="Bea Ottawa")
    response = moderator_client.get("/admin/signatures/deliveries/", {"representative": bea.pk})
    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert len(listed) == 2 and {d.target_id for d in listed} == {bea.pk}
    response = moderator_client.get("/admin/signatures/deliveries/", {"directory": directory.pk})
    assert len(response.context["object_list"]) == 3


def test_statistics_count_actions_per_representative_and_district(moderator_client, signed):
    people, districts = actions_by_representative(signed)
    assert people == [("Ms Bea Ottawa", "Ottawa Centre", 2), ("Mr Cy Toronto", "Spadina", 1)]
    assert districts == [("Ottawa Centre", 2), ("Spadina", 1)]

    html = moderator_client.get(f"/admin/signatures/statistics/{signed.pk}/").content.decode()
    assert "Actions per representative" in html and "Actions per district" in html
    assert "<td>Ms Bea Ottawa</td><td>Ottawa Centre</td><td>2</td>" in html


@pytest.mark.postgres  # the names are joined by PostgreSQL's string_agg (empty elsewhere)
def test_the_export_says_who_each_action_wrote_to(signed):
    Delivery.objects.filter(target__name="Cy Toronto").update(state=Delivery.State.SENT)
    text = b"".join(export.csv_chunks(signed.signatures.order_by("email"))).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["email"], row["sent to"]) for row in rows] == [
        ("s0@example.org", "Bea Ottawa (Ottawa Centre)"),
        ("s1@example.org", "Bea Ottawa (Ottawa Centre)"),
        ("s2@example.org", "Cy Toronto (Spadina)"),
    ]


# Who may put a target into a directory -----------------------------------------------------


def _target_form(**fields):
    return {"salutation": "", "name": "Bea Ottawa", "email": "draft@example.org"} | fields


def test_an_editor_cannot_put_a_target_into_a_directory(editor_client, directory):
    from django.urls import reverse

    from campaigns.models import Target

    add = reverse(Target.snippet_viewset.get_url_name("add"))
    assert 'name="directory"' not in editor_client.get(add).content.decode()
    form = _target_form(district="Ottawa Centre", directory=directory.pk)
    assert editor_client.post(add, form).status_code == 302
    drafted = Target.objects.get(email="draft@example.org")
    assert drafted.directory is None  # a campaign's own target, shadowing nobody

    # Nor by copying a representative, nor by editing a target.
    bea = directory.representatives.get(name="Bea Ottawa")
    copy = reverse(Target.snippet_viewset.get_url_name("copy"), args=[bea.pk])
    editor_client.post(copy, _target_form(name="Bea Copy", district="Ottawa Centre"))
    assert not directory.representatives.filter(name="Bea Copy").exists()
    edit = reverse(Target.snippet_viewset.get_url_name("edit"), args=[drafted.pk])
    editor_client.post(edit, _target_form(directory=directory.pk))
    drafted.refresh_from_db()
    assert drafted.directory is None and drafted.latest_revision.as_object().directory is None


def test_a_moderator_may_put_a_target_into_a_directory(client, site, directory):
    from django.contrib.auth.models import Group
    from django.urls import reverse

    from campaigns.models import Target
    from tests.moderation.conftest import make_user

    user = make_user("pat", "Editors")  # an editor who may also publish targets
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    add = reverse(Target.snippet_viewset.get_url_name("add"))
    assert 'name="directory"' in client.get(add).content.decode()
    form = _target_form(name="Dee New", district="Vanier", directory=directory.pk)
    assert client.post(add, form).status_code == 302
    assert directory.representatives.filter(name="Dee New").exists()
