"""Directories of representatives: the longest-prefix lookup, and importing them from CSV."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from campaigns.directory_import import import_directory, read_csv
from campaigns.models import Directory, PostalPrefix, Target, normalise_postal_code
from campaigns.representatives import find
from tests.factories import DirectoryFactory, representative

pytestmark = pytest.mark.django_db

HEADER = "postal_code,name,salutation,email,district,party,language\n"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("k1a 0a6", "K1A0A6"), ("K1A-0A6", "K1A0A6"), ("  sw1a\t1aa ", "SW1A1AA"), ("", "")],
)
def test_postal_codes_are_kept_upper_case_letters_and_digits_only(typed, kept):
    assert normalise_postal_code(typed) == kept


def test_the_longest_matching_prefix_wins_whatever_the_case_and_spaces():
    directory = DirectoryFactory()
    province = representative(directory, "Anne Province", ["K"])
    ottawa = representative(directory, "Bea Ottawa", ["K1A"])
    street = representative(directory, "Cy Street", ["K1A 0B1"])

    assert [p.name for p in find(directory, "k1a 0a6")] == [ottawa.name]
    assert [p.name for p in find(directory, "K1A0B1")] == [street.name]
    assert [p.name for p in find(directory, " k1a-0b1 ")] == [street.name]
    assert [p.name for p in find(directory, "K2P 1L4")] == [province.name]
    assert find(directory, "M5V 2T6") == []
    assert find(directory, "") == []


def test_a_prefix_may_lead_to_several_representatives_and_only_its_own_directory_counts():
    directory, other = DirectoryFactory(), DirectoryFactory()
    representative(directory, "Dee One", ["SW1A"])
    representative(directory, "Eve Two", ["SW1A"])
    representative(other, "Fay Elsewhere", ["SW1A 1AA"])

    assert sorted(p.name for p in find(directory, "sw1a 1aa")) == ["Dee One", "Eve Two"]


def test_an_unpublished_representative_receives_nothing_and_a_shorter_prefix_does_not_stand_in():
    directory = DirectoryFactory()
    representative(directory, "Gil Wide", ["H"])
    narrow = representative(directory, "Hal Narrow", ["H2X"])
    Target.objects.filter(pk=narrow.pk).update(live=False)

    assert find(directory, "H2X 1Y4") == []


def test_the_lookup_is_one_query(django_assert_num_queries):
    directory = DirectoryFactory()
    representative(directory, "Ida Query", ["V6B"])
    with django_assert_num_queries(1):
        assert find(directory, "V6B 4Y8")[0].name == "Ida Query"


@pytest.mark.postgres  # SET LOCAL and the plan are PostgreSQL's
def test_the_lookup_uses_the_index():
    from django.db import connection

    directory = DirectoryFactory()
    representative(directory, "Jo Index", ["T2P"])
    query = PostalPrefix.objects.filter(directory=directory, prefix__in=["T", "T2", "T2P"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "Index" in plan and "one_prefix_per_representative" in plan


# Importing ------------------------------------------------------------------------------


def test_import_creates_published_representatives_and_their_prefixes(admin_user):
    csv = HEADER + (
        "K1A,Ann Ottawa,Ms,ann@parl.example.org,Ottawa Centre,Green,en\n"
        "K1B,Ann Ottawa,Ms,ann@parl.example.org,Ottawa Centre,Green,en\n"
        "k2p 1l4,Bob West,Mr,bob@parl.example.org,,,\n"
    )
    report = import_directory("House", read_csv(csv), replace=False, user=admin_user)

    assert report.written and not report.errors
    assert (report.created, report.prefixes) == (2, 3)
    directory = Directory.objects.get(name="House")
    ann = Target.objects.get(directory=directory, name="Ann Ottawa")
    assert ann.live and ann.email == "ann@parl.example.org" and ann.party == "Green"
    assert [p.name for p in find(directory, "K1B 2C3")] == ["Ann Ottawa"]
    assert [p.name for p in find(directory, "K2P1L4")] == ["Bob West"]
    entry = ModelLogEntry.objects.get(action="clarion.directory.import")
    assert entry.user == admin_user and entry.data["created"] == 2


def test_import_reports_each_bad_row_with_its_line_number_and_writes_nothing():
    csv = HEADER + (
        "K1A,Ann Ottawa,Ms,ann@parl.example.org,,,\n"
        ",No Code,Mr,nocode@parl.example.org,,,\n"
        "K1C,,Mr,noname@parl.example.org,,,\n"
        "K1D,Bad Address,Mr,not-an-address,,,\n"
        "K1E,Ann Ottawa,Ms,other@parl.example.org,,,\n"
        "K1A,Ann Ottawa,Ms,ann@parl.example.org,,,\n"
    )
    report = import_directory("House", read_csv(csv), replace=True)

    lines = [line for line, _message in report.errors]
    assert lines == [3, 4, 5, 6, 7]
    messages = dict(report.errors)
    assert "postal code is empty" in messages[3]
    assert "name is empty" in messages[4]
    assert "not-an-address" in messages[5]
    assert "line 2" in messages[6]  # the same person with another address
    assert "twice" in messages[7]
    assert not report.written
    assert not Directory.objects.filter(name="House").exists()


def test_missing_columns_are_an_error_on_line_one():
    report = read_csv("postal_code,name\nK1A,Ann\n")
    assert report.errors == [(1, "Missing columns: salutation, email.")]


def test_update_keeps_other_codes_and_changes_an_address_in_place():
    directory = DirectoryFactory(name="House")
    ann = representative(directory, "Ann Ottawa", ["K1A"], email="old@parl.example.org")
    representative(directory, "Bob West", ["K2P"])
    csv = HEADER + "K1A,Ann Ottawa,Ms,new@parl.example.org,,,\n"

    report = import_directory("House", read_csv(csv), replace=False)

    assert (report.created, report.updated, report.addresses_changed) == (0, 1, 1)
    ann.refresh_from_db()
    assert ann.email == "new@parl.example.org"
    assert [p.name for p in find(directory, "K2P")] == ["Bob West"]


def test_replace_makes_the_directory_exactly_the_file_and_takes_effect_at_once(campaign):
    from signatures.models import Delivery, Signature

    directory = DirectoryFactory(name="House")
    representative(directory, "Ann Ottawa", ["K1A"])
    written_to = representative(directory, "Bob West", ["K2P"])
    signature = Signature.objects.create(
        campaign=campaign, first_name="S", last_name="T", email="s@example.org", email_key="s"
    )
    Delivery.objects.create(signature=signature, target=written_to)
    assert [p.name for p in find(directory, "K1A 0A6")] == ["Ann Ottawa"]

    csv = HEADER + "K1A,Cy New,Mr,cy@parl.example.org,,,\n"
    report = import_directory("House", read_csv(csv), replace=True)

    assert report.removed == 1  # Ann; Bob stays on record for his delivery
    assert [p.name for p in find(directory, "K1A 0A6")] == ["Cy New"]
    assert find(directory, "K2P") == []
    assert Target.objects.filter(pk=written_to.pk).exists()


def test_a_dry_run_counts_and_writes_nothing():
    csv = HEADER + "K1A,Ann Ottawa,Ms,ann@parl.example.org,,,\n"
    report = import_directory("House", read_csv(csv), replace=True, dry_run=True)
    assert report.created == 1 and not report.written
    assert not Directory.objects.exists() and not Target.objects.exists()


def test_the_command_imports_and_replaces(tmp_path, capsys):
    path = tmp_path / "reps.csv"
    path.write_text(HEADER + "K1A,Ann Ottawa,Ms,ann@parl.example.org,,,\n")
    call_command("import_directory", str(path), directory="House")
    assert "1 representatives added" in capsys.readouterr().out

    path.write_text(HEADER + "K1A,Bob West,Mr,bob@parl.example.org,,,\n")
    call_command("import_directory", str(path), directory="House", replace=True)
    directory = Directory.objects.get(name="House")
    assert [p.name for p in find(directory, "k1a")] == ["Bob West"]


def test_the_command_prints_each_error_with_its_line_and_fails(tmp_path, capsys):
    path = tmp_path / "reps.csv"
    path.write_text(HEADER + "K1A,Ann Ottawa,Ms,ann@parl.example.org,,,\nK1B,Bob,Mr,bob@,,,\n")
    with pytest.raises(CommandError, match="1 errors"):
        call_command("import_directory", str(path), directory="House")
    assert "line 3: “bob@” is not an email address." in capsys.readouterr().err
    assert not Directory.objects.exists()


# In the admin ---------------------------------------------------------------------------


def test_the_target_chooser_offers_campaign_targets_not_representatives(admin_client):
    from django.urls import reverse

    from tests.factories import TargetFactory

    TargetFactory(name="Minister of Water")
    representative(DirectoryFactory(), "Bea Ottawa", ["K1A"])
    url = reverse(f"{Target.snippet_viewset.chooser_viewset.name}:choose_results")
    html = admin_client.get(url).content.decode()
    assert "Minister of Water" in html and "Bea Ottawa" not in html


def test_representatives_are_listed_with_targets_and_filtered_by_directory(admin_client):
    from django.urls import reverse

    from tests.factories import TargetFactory

    TargetFactory(name="Minister of Water")
    directory = DirectoryFactory(name="House")
    representative(directory, "Bea Ottawa", ["K1A"], district="Ottawa Centre")
    url = reverse(Target.snippet_viewset.get_url_name("list"))
    html = admin_client.get(url, {"directory": directory.pk}).content.decode()
    assert "Bea Ottawa" in html and "Ottawa Centre" in html and "Minister of Water" not in html


def test_a_campaign_to_representatives_needs_a_directory_and_asks_the_postal_code(site):
    from django.core.exceptions import ValidationError

    from tests.factories import CampaignPageFactory

    campaign = CampaignPageFactory(parent=site.root_page, postal_code_field="hidden")
    campaign.targeting = "representative"
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert "directory" in refused.value.message_dict
    campaign.directory = DirectoryFactory()
    campaign.full_clean()
    assert campaign.postal_code_field == "required"


# Refreshing: no shadow, every change on the record, letters owed handed over ----------------


def _drafted(directory, name, district, email="draft@example.org"):
    """A target an Editor drafted into the directory (as was possible before): unpublished."""
    return Target.objects.create(
        directory=directory,
        name=name,
        district=district,
        email=email,
        live=False,
        has_unpublished_changes=True,
    )


def test_an_import_publishes_an_unpublished_match_so_it_shadows_nobody():
    directory = DirectoryFactory(name="House")
    draft = _drafted(directory, "Ann Ottawa", "Ottawa Centre")
    csv = HEADER + "K1A,Ann Ottawa,Ms,ann@parl.example.org,Ottawa Centre,,\n"

    report = import_directory("House", read_csv(csv), replace=False)

    assert report.updated == 1
    assert [(p.name, p.email) for p in find(directory, "K1A 0A6")] == [
        ("Ann Ottawa", "ann@parl.example.org")
    ]
    draft.refresh_from_db()
    assert draft.live and not draft.has_unpublished_changes


def test_the_dry_run_says_which_unpublished_match_the_import_publishes():
    directory = DirectoryFactory(name="House")
    _drafted(directory, "Ann Ottawa", "Ottawa Centre", email="ann@parl.example.org")
    csv = HEADER + "K1A,Ann Ottawa,,ann@parl.example.org,Ottawa Centre,,\n"  # same details

    report = import_directory("House", read_csv(csv), replace=False, dry_run=True)

    assert report.to_publish == ["Ann Ottawa (Ottawa Centre)"] and report.updated == 1
    assert not Target.objects.get().live  # a dry run writes nothing


def test_each_address_an_import_changes_is_a_published_revision_and_a_log_entry(admin_user):
    directory = DirectoryFactory(name="House")
    ann = representative(
        directory, "Ann Ottawa", ["K1A"], district="Ottawa Centre", email="old@parl.example.org"
    )
    csv = HEADER + "K1A,Ann Ottawa,,new@parl.example.org,Ottawa Centre,,\n"

    import_directory("House", read_csv(csv), replace=False, user=admin_user)

    ann.refresh_from_db()
    assert ann.live_revision is not None and ann.latest_revision == ann.live_revision
    assert ann.live_revision.as_object().email == "new@parl.example.org"
    assert ann.live_revision.user == admin_user
    entry = ModelLogEntry.objects.for_instance(ann).get(action="clarion.directory.representative")
    assert entry.user == admin_user and entry.timestamp
    assert (entry.data["old_email"], entry.data["new_email"]) == (
        "old@parl.example.org",
        "new@parl.example.org",
    )
    assert "old@parl.example.org → new@parl.example.org" in entry.formatter.format_message(entry)


def test_a_command_line_import_records_the_operating_system_user(tmp_path):
    import getpass

    directory = DirectoryFactory(name="House")
    ann = representative(directory, "Ann Ottawa", ["K1A"], email="old@parl.example.org")
    path = tmp_path / "reps.csv"
    path.write_text(HEADER + "K1A,Ann Ottawa,,new@parl.example.org,,,\n")

    call_command("import_directory", str(path), directory="House")

    entry = ModelLogEntry.objects.for_instance(ann).get(action="clarion.directory.representative")
    assert entry.user is None and entry.data["os_user"] == getpass.getuser()
    directory.refresh_from_db()
    assert directory.refreshed_from == "reps.csv" and directory.refreshed_at
    assert directory.refreshed_by == f"{getpass.getuser()} (command line)"


def test_an_editor_s_pending_draft_is_superseded_and_flagged(admin_user):
    directory = DirectoryFactory(name="House")
    ann = representative(directory, "Ann Ottawa", ["K1A"], email="old@parl.example.org")
    ann.email = "editor-typo@parl.example.org"
    draft = ann.save_revision()  # an Editor's draft, waiting for a publisher
    csv = HEADER + "K1A,Ann Ottawa,,new@parl.example.org,,,\n"

    preview = import_directory("House", read_csv(csv), replace=False, dry_run=True)
    assert preview.drafts_superseded == ["Ann Ottawa"]
    import_directory("House", read_csv(csv), replace=False, user=admin_user)

    ann.refresh_from_db()
    assert ann.latest_revision != draft and ann.latest_revision == ann.live_revision
    assert ann.email == "new@parl.example.org"
    entry = ModelLogEntry.objects.for_instance(ann).get(action="clarion.directory.representative")
    assert entry.data["superseded_draft"] is True
    assert "pending draft was superseded" in entry.formatter.format_message(entry)


def test_a_refresh_is_shown_as_its_difference_before_it_is_applied():
    directory = DirectoryFactory(name="House")
    representative(directory, "Ann Ottawa", ["K1A"], district="Centre", email="a@x.org")
    representative(directory, "Bob West", ["K2P", "K2R"], district="West", email="b@x.org")
    csv = HEADER + (
        "K1A,Ann Ottawa,,ann@new.org,Centre,,\n"  # a new address
        "K2P,Cy New,,cy@x.org,West,,\n"  # Bob's district, someone new
    )

    report = import_directory("House", read_csv(csv), replace=True, dry_run=True)

    assert report.added == ["Cy New (West)"] and report.leaving == ["Bob West (West)"]
    assert report.address_changes == [("Ann Ottawa (Centre)", "a@x.org", "ann@new.org")]
    assert report.changing_hands == [
        ("K2P", "Bob West (West)", "Cy New (West)"),
        ("K2R", "Bob West (West)", ""),  # leads nobody after
    ]
    assert [p.name for p in find(directory, "K2P")] == ["Bob West"]  # nothing applied yet


def test_letters_owed_to_a_representative_who_left_go_to_the_successor(campaign):
    from signatures.models import Delivery, Signature

    directory = DirectoryFactory(name="House")
    bob = representative(directory, "Bob West", ["K2P"], district="West")
    gil = representative(directory, "Gil Wide", ["H"], district="Laurentides")
    owed = {}
    for who in (bob, gil):
        signature = Signature.objects.create(
            campaign=campaign,
            first_name="S",
            last_name="T",
            email=f"{who.pk}@example.org",
            email_key=str(who.pk),
        )
        owed[who.name] = Delivery.objects.create(signature=signature, target=who)
    csv = HEADER + "K2P,Cy New,,cy@x.org,West,,\n"  # West has a successor; Laurentides none

    preview = import_directory("House", read_csv(csv), replace=True, dry_run=True)
    assert preview.successors == [("Bob West (West)", "Cy New (West)", 1)]
    assert preview.held == [("Gil Wide (Laurentides)", 1)]
    import_directory("House", read_csv(csv), replace=True)

    to_bob, to_gil = (Delivery.objects.get(pk=owed[name].pk) for name in ("Bob West", "Gil Wide"))
    assert to_bob.target.name == "Cy New" and to_bob.state == Delivery.State.PENDING
    assert to_gil.target_id == gil.pk and to_gil.state == Delivery.State.FAILED
    assert "no successor" in to_gil.last_error
    gil.refresh_from_db()
    assert not gil.live  # kept on record for the letter held, and never written to again
    assert not Target.objects.filter(pk=bob.pk).exists()  # nothing of his left to keep


def test_a_supporter_already_writing_to_the_successor_gets_no_second_letter(campaign):
    from signatures.models import Delivery, Signature

    directory = DirectoryFactory(name="House")
    bob = representative(directory, "Bob West", ["K2P"], district="West")
    cy = representative(directory, "Cy New", ["K2P"], district="West", email="cy@x.org")
    signature = Signature.objects.create(
        campaign=campaign, first_name="S", last_name="T", email="s@example.org", email_key="s"
    )
    to_bob = Delivery.objects.create(signature=signature, target=bob)
    to_cy = Delivery.objects.create(signature=signature, target=cy)

    import_directory("House", read_csv(HEADER + "K2P,Cy New,,cy@x.org,West,,\n"), replace=True)

    to_bob.refresh_from_db(), to_cy.refresh_from_db()
    assert to_cy.state == Delivery.State.PENDING
    assert to_bob.target_id == bob.pk and to_bob.state == Delivery.State.FAILED
    assert "the letter goes to Cy New (West)" in to_bob.last_error


def _letter_to(campaign, target, key):
    from signatures.models import Delivery, Signature

    signature = Signature.objects.create(
        campaign=campaign, first_name="S", last_name="T", email=f"{key}@example.org", email_key=key
    )
    return Delivery.objects.create(signature=signature, target=target)


@pytest.mark.parametrize("replace", [False, True], ids=["update", "replace"])
def test_a_held_letter_waits_for_the_successor_a_later_import_gives_the_district(campaign, replace):
    from signatures.models import Delivery, Signature

    directory = DirectoryFactory(name="House")
    gil = representative(directory, "Gil Wide", ["H"], district="Laurentides")
    representative(directory, "Ann Ottawa", ["K1A"], district="Centre", email="ann@x.org")
    held = _letter_to(campaign, gil, "held")
    rejected = _letter_to(campaign, gil, "rejected")
    ann_only = HEADER + "K1A,Ann Ottawa,,ann@x.org,Centre,,\n"
    import_directory("House", read_csv(ann_only), replace=True)  # Laurentides: nobody
    held.refresh_from_db()
    assert held.state == Delivery.State.FAILED and held.target_id == gil.pk
    Signature.objects.filter(deliveries=rejected).update(status=Signature.Status.REJECTED)

    # Ann's refresh alone again neither sends the letter nor says it is held anew, nor
    # that Gil, who left before, leaves now.
    again = import_directory("House", read_csv(ann_only), replace=True, dry_run=True)
    assert again.held == [] and again.successors == [] and again.leaving == []
    leaving = ModelLogEntry.objects.for_instance(gil).filter(action="clarion.directory.leave")
    assert leaving.count() == 1
    import_directory("House", read_csv(ann_only), replace=True)
    assert leaving.count() == 1

    csv = (ann_only if replace else HEADER) + "H,Hana New,,hana@x.org,Laurentides,,\n"
    preview = import_directory("House", read_csv(csv), replace=replace, dry_run=True)
    assert preview.successors == [("Gil Wide (Laurentides)", "Hana New (Laurentides)", 1)]
    held.refresh_from_db()
    assert held.target_id == gil.pk  # a dry run writes nothing
    import_directory("House", read_csv(csv), replace=replace)

    held.refresh_from_db(), rejected.refresh_from_db()
    assert held.target.email == "hana@x.org" and held.state == Delivery.State.PENDING
    assert held.last_error == ""
    assert rejected.target_id == gil.pk and rejected.state == Delivery.State.FAILED


def test_a_representative_back_in_the_file_gets_the_letters_held_for_them(campaign):
    from signatures.models import Delivery

    directory = DirectoryFactory(name="House")
    gil = representative(directory, "Gil Wide", ["H"], district="Laurentides")
    representative(directory, "Ann Ottawa", ["K1A"], district="Centre", email="ann@x.org")
    held = _letter_to(campaign, gil, "held")
    ann = HEADER + "K1A,Ann Ottawa,,ann@x.org,Centre,,\n"
    import_directory("House", read_csv(ann), replace=True)

    back = ann + "H,Gil Wide,,gil@new.example.org,Laurentides,,\n"  # re-elected
    import_directory("House", read_csv(back), replace=True)

    held.refresh_from_db()
    assert held.target_id == gil.pk and held.state == Delivery.State.PENDING
    assert held.target.live and held.target.email == "gil@new.example.org"


def test_the_import_screen_lists_the_letters_waiting_for_a_representative(admin_client, campaign):
    directory = DirectoryFactory(name="House")
    gil = representative(directory, "Gil Wide", ["H"], district="Laurentides")
    representative(directory, "Ann Ottawa", ["K1A"], district="Centre", email="ann@x.org")
    for key in ("a", "b"):
        _letter_to(campaign, gil, key)
    url = "/admin/directories/import/"
    assert "Letters waiting for a representative" not in admin_client.get(url).content.decode()

    import_directory(
        "House", read_csv(HEADER + "K1A,Ann Ottawa,,ann@x.org,Centre,,\n"), replace=True
    )

    html = admin_client.get(url).content.decode()
    assert "Letters waiting for a representative" in html
    assert "<td>House</td><td>Laurentides</td><td>Gil Wide</td><td>2</td>" in html
    assert "@example.org" not in html  # counts only: nothing of any supporter


def test_a_held_letter_is_not_sent_again_by_a_retry_and_stays_held(campaign, admin_user):
    from signatures.models import Delivery
    from signatures.services.redelivery import retry_letters

    directory = DirectoryFactory(name="House")
    gil = representative(directory, "Gil Wide", ["H"], district="Laurentides")
    representative(directory, "Ann Ottawa", ["K1A"], district="Centre", email="ann@x.org")
    held = _letter_to(campaign, gil, "held")
    ann = HEADER + "K1A,Ann Ottawa,,ann@x.org,Centre,,\n"
    import_directory("House", read_csv(ann), replace=True)

    assert retry_letters([held.pk], admin_user) == 0
    held.refresh_from_db()
    assert held.state == Delivery.State.FAILED and held.last_error.startswith("Held:")
    # Still waiting: the district's next representative gets it.
    import_directory(
        "House", read_csv(ann + "H,Hana New,,hana@x.org,Laurentides,,\n"), replace=False
    )
    held.refresh_from_db()
    assert held.target.name == "Hana New" and held.state == Delivery.State.PENDING
