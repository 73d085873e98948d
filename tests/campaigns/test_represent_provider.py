"""The Represent provider (Open North's API) against a fake Represent on loopback: answers,
caching, and what happens when it is slow, failing or answering nonsense."""

import json
import time

import pytest
from wagtail.models import ModelLogEntry

from campaigns import represent as represent_module
from campaigns.models import Target
from campaigns.representatives import LookupUnavailable, find
from signatures.models import Delivery
from signatures.services import dispatch, signing
from tests.factories import DirectoryFactory, representative, representative_campaign
from tests.loopback import LoopbackServer, QuietHandler

pytestmark = pytest.mark.django_db


def official(name, district, email, *, office="MP", party="Green", house="House of Commons"):
    """One representative as Represent answers it (represent.opennorth.ca/api/), field for
    field: Clarion reads `name`, `email`, `district_name`, `party_name` and
    `representative_set_name`; the rest is there because Represent sends it."""
    slug = house.lower().replace(" ", "-")
    return {
        "name": name,
        "district_name": district,
        "elected_office": office,
        "source_url": "https://www.ourcommons.ca/Members/en/search",
        "first_name": name.split()[0],
        "last_name": name.split()[-1],
        "party_name": party,
        "email": email,
        "url": f"https://www.ourcommons.ca/Members/en/{name.lower().replace(' ', '-')}",
        "photo_url": "",
        "personal_url": "",
        "district_id": "35075",
        "gender": "",
        "offices": [
            {
                "type": "legislature",
                "postal": "House of Commons\nOttawa ON  K1A 0A6",
                "tel": "1 613-555-0100",
            },
            {
                "type": "constituency",
                "postal": "1 Main Street\nOttawa ON  K1P 1A1",
                "tel": "1 613-555-0101",
            },
        ],
        "extra": {},
        "related": {
            "boundary_url": f"/boundaries/{slug}-districts/35075/",
            "representative_set_url": f"/representative-sets/{slug}/",
        },
        "representative_set_name": house,
    }


def postcode(code, *, centroid, concordance=()):
    """A postcode's answer as Represent gives it (GET /postcodes/{code}/)."""
    return {
        "code": code,
        "city": "Ottawa",
        "province": "ON",
        "centroid": {"type": "Point", "coordinates": [-75.6972, 45.4215]},
        "boundaries_centroid": [],
        "boundaries_concordance": [],
        "representatives_centroid": list(centroid),
        "representatives_concordance": list(concordance),
    }


MP = official("Bea Ottawa", "Ottawa Centre", "bea.ottawa@parl.example.ca")
MPP = official(
    "Cy Queens Park",
    "Ottawa Centre",
    "cy@ola.example.ca",
    office="MPP",
    house="Legislative Assembly of Ontario",
)
VANIER = official("Dee Vanier", "Ottawa—Vanier", "dee.vanier@parl.example.ca", party="Blue")


class FakeRepresent(LoopbackServer):
    """Answers GET /represent/postcodes/<code>/ as `mode` says: "ok", "slow", a status."""

    def __init__(self):
        self.mode = "ok"
        self.paths = []
        self.answers = {}  # code -> answer; any other code: MP's district
        fake = self

        class Handler(QuietHandler):
            def do_GET(self):
                fake.paths.append(self.path)
                if fake.mode == "drip":  # a whole answer, each part well within the timeout
                    return self.drip(json.dumps({"representatives_centroid": [MP]}).encode())
                if fake.mode == "slow":
                    time.sleep(1.5)
                    status, body = 200, b"{}"
                elif fake.mode == "garbage":
                    status, body = 200, b"<html>maintenance</html>"
                elif fake.mode == "redirect":
                    status, body = 302, b""
                elif isinstance(fake.mode, int):
                    status, body = fake.mode, b"{}"
                else:
                    code = self.path.rstrip("/").rpartition("/")[2]
                    answer = fake.answers.get(code) or postcode(
                        code, centroid=[MP, MPP], concordance=[MP]
                    )
                    status, body = 200, json.dumps(answer).encode()
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://169.254.169.254/latest/")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def drip(self, body):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for start in range(0, len(body), len(body) // 10 + 1):
                        self.wfile.write(body[start : start + len(body) // 10 + 1])
                        self.wfile.flush()
                        time.sleep(0.15)
                    fake.dripped = True
                except OSError:
                    fake.dripped = False  # the client hung up before the end

        super().__init__(Handler)


@pytest.fixture
def represent(settings):
    with FakeRepresent() as server:
        settings.CLARION_REPRESENTATIVE_LOOKUP = "campaigns.represent.RepresentLookup"
        settings.CLARION_REPRESENT_URL = f"{server.origin}/represent"
        settings.CLARION_REPRESENT_TIMEOUT = 0.3
        yield server


@pytest.fixture
def commons(db):
    return DirectoryFactory(name="House of Commons")


def test_the_directory_s_members_are_found_and_never_asked_twice(represent, commons):
    [found] = find(commons, "k1a 0a6")

    assert (found.name, found.salutation, found.district, found.party) == (
        "Bea Ottawa",
        "",  # Represent has no salutation
        "Ottawa Centre",
        "Green",
    )
    assert found.email == "bea.ottawa@parl.example.ca" and found.target_id is None
    assert represent.paths == ["/represent/postcodes/K1A0A6/"]  # normalised, nothing else
    assert find(commons, "K1A 0A6") == [found]
    assert len(represent.paths) == 1  # cached


def test_an_unknown_postal_code_is_nobody(represent, commons):
    represent.mode = 404
    assert find(commons, "X0X0X0") == []


@pytest.mark.parametrize("mode", [500, 503, "garbage", "redirect"])
def test_a_failing_represent_makes_the_lookup_unavailable(represent, commons, mode):
    represent.mode = mode
    with pytest.raises(LookupUnavailable):
        find(commons, "K1A 0A6")
    represent.mode = "ok"
    assert find(commons, "K1A 0A6")[0].name == "Bea Ottawa"  # failures are not cached


def test_a_slow_represent_times_out(represent, commons):
    represent.mode = "slow"
    started = time.monotonic()
    with pytest.raises(LookupUnavailable, match="timed out"):
        find(commons, "K1A 0A6")
    assert time.monotonic() - started < 1.2


def test_a_wait_the_budget_cuts_is_told_as_a_timeout_while_the_cut_still_runs(
    represent, commons, monkeypatch
):
    """The cut shuts the socket, the wait ends at once as a disconnection, and the cut's
    thread has not finished yet: still a timeout, never "RemoteDisconnected"."""
    shut = represent_module._cut

    def slow_to_finish(*args):
        shut(*args)
        time.sleep(0.5)

    monkeypatch.setattr(represent_module, "_cut", slow_to_finish)
    represent.mode = "slow"
    with pytest.raises(LookupUnavailable, match="timed out"):
        find(commons, "K1A 0A6")


def test_when_represent_is_down_the_directory_s_own_table_answers(represent, commons):
    representative(commons, "Dee Table", ["K1A"])
    represent.mode = 500
    assert [p.name for p in find(commons, "K1A 0A6")] == ["Dee Table"]


def test_nothing_is_asked_of_a_base_url_that_is_no_web_address(represent, commons, settings):
    settings.CLARION_REPRESENT_URL = "file:///etc/passwd"
    with pytest.raises(LookupUnavailable):
        find(commons, "K1A 0A6")


def test_a_letter_goes_to_the_representative_represent_finds(represent, commons, site):
    campaign = representative_campaign(site.root_page, commons)
    details = {"first_name": "Ana", "last_name": "O", "email": "ana@example.org"}

    signature, _new = signing.record_signature(campaign, details | {"postal_code": "K1A 0A6"})
    assert [p.name for p in signature.representatives] == ["Bea Ottawa"]
    dispatch.dispatch_signature(signature.pk)

    [delivery] = Delivery.objects.select_related("target")
    assert delivery.target.email == "bea.ottawa@parl.example.ca"
    assert delivery.target.directory == commons and delivery.target.live
    assert delivery.target.live_revision.as_object().email == "bea.ottawa@parl.example.ca"
    entry = ModelLogEntry.objects.get(action="clarion.directory.found")
    assert entry.data["representative"] == "Bea Ottawa"

    # The next supporter in the district writes to the same representative's row.
    other, _new = signing.record_signature(
        campaign, details | {"email": "bo@example.org", "postal_code": "K1A 0B1"}
    )
    dispatch.dispatch_signature(other.pk)
    assert Target.objects.filter(directory=commons).count() == 1


def test_an_address_approved_in_the_directory_wins_over_represent_s(represent, commons, site):
    kept = representative(commons, "Bea Ottawa", [], district="Ottawa Centre", email="ok@x.ca")
    campaign = representative_campaign(site.root_page, commons)
    details = {"first_name": "Ana", "last_name": "O", "email": "ana@example.org"}
    signature, _new = signing.record_signature(campaign, details | {"postal_code": "K1A0A6"})
    dispatch.dispatch_signature(signature.pk)
    assert Delivery.objects.get().target_id == kept.pk


def test_while_represent_is_down_an_action_waits_for_it(represent, commons, site):
    campaign = representative_campaign(site.root_page, commons)
    represent.mode = 503
    details = {"first_name": "A", "last_name": "O", "email": "a@example.org", "postal_code": "K1A"}
    signature, _new = signing.record_signature(campaign, details)
    assert signature.representatives is None  # taken, its representative not known yet
    with pytest.raises(LookupUnavailable):
        dispatch.dispatch_signature(signature.pk)
    assert not Delivery.objects.exists()

    represent.mode = "ok"
    dispatch.dispatch_signature(signature.pk)
    assert Delivery.objects.get().target.name == "Bea Ottawa"


# What Represent's answers distinguish ----------------------------------------------------------


def test_the_concordance_is_used_when_it_names_the_directory_s_members(represent, commons):
    # The concordance puts K1A 0B1 in two districts; the centroid guesses one of them.
    represent.answers["K1A0B1"] = postcode(
        "K1A0B1", centroid=[MP, MPP], concordance=[MP, VANIER, MPP]
    )
    found = find(commons, "K1A 0B1")
    assert sorted((p.name, p.district) for p in found) == [
        ("Bea Ottawa", "Ottawa Centre"),
        ("Dee Vanier", "Ottawa—Vanier"),
    ]


def test_the_centroid_answers_when_the_concordance_names_none_of_the_directory_s(
    represent, commons
):
    represent.answers["K2P1L4"] = postcode("K2P1L4", centroid=[VANIER, MPP], concordance=[MPP])
    assert [p.name for p in find(commons, "K2P 1L4")] == ["Dee Vanier"]


def test_a_code_the_concordance_splits_lets_the_supporter_choose_and_writes_to_that_one(
    represent, commons, site
):
    from signatures.services.representative_targets import DistrictToChoose

    represent.answers["K1A0B1"] = postcode("K1A0B1", centroid=[MP], concordance=[MP, VANIER])
    campaign = representative_campaign(site.root_page, commons)
    details = {"first_name": "Ana", "last_name": "O", "email": "ana@example.org"}
    details["postal_code"] = "K1A 0B1"

    with pytest.raises(DistrictToChoose) as choice:
        signing.record_signature(campaign, details)
    assert [d.name for d in choice.value.candidates] == ["Ottawa Centre", "Ottawa—Vanier"]

    signature, _new = signing.record_signature(campaign, details | {"district": "Ottawa—Vanier"})
    dispatch.dispatch_signature(signature.pk)
    assert Delivery.objects.get().target.email == "dee.vanier@parl.example.ca"


def test_a_drafted_row_never_swallows_the_letter_of_someone_represent_finds(
    represent, commons, site
):
    """The shadow: a row with the representative's name and district that is not published
    (an Editor's draft, or stopped by a moderator). Before, the action was taken and no
    letter was ever sent; now the lookup does not count it, so the action is refused."""
    from signatures.abuse import ActionRefused

    Target.objects.create(
        directory=commons,
        name="Bea Ottawa",
        district="Ottawa Centre",
        email="draft@example.org",
        live=False,
        has_unpublished_changes=True,
    )
    campaign = representative_campaign(site.root_page, commons)
    details = {"first_name": "Ana", "last_name": "O", "email": "ana@example.org"}

    with pytest.raises(ActionRefused):
        signing.record_signature(campaign, details | {"postal_code": "K1A 0A6"})
    assert find(commons, "K1A 0A6") == []
