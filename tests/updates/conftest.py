import re

import pytest
from django.core import mail
from django.test import TestCase

from signatures.models import CampaignUpdate
from tests.moderation.conftest import add_signature

#: The unsubscribe link in an update email (its token is the last part).
UNSUBSCRIBE = re.compile(r"https?://\S+/updates/stop/([^/\s]+)/")


def publish_update(campaign, subject="The minister agreed to meet us", body="We meet on Monday."):
    """A staff update, drafted then published (as the snippet editor's Publish button does)."""
    update = CampaignUpdate.objects.create(
        campaign=campaign, subject=subject, body=body, live=False
    )
    with committed():
        update.save_revision().publish()
    return update


def committed():
    """Run what is handed to the workers on commit (their tasks run in-process in tests)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def mailed_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def unsubscribe_path(message) -> str:
    return UNSUBSCRIBE.search(message.body).group(0).split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def supporters(campaign):
    """Two who agreed to hear back, and every kind of supporter who did not, or may not."""
    return {
        "ana": add_signature(campaign, email="ana@example.org", first_name="Ana", consent=True),
        "bo": add_signature(campaign, email="bo@example.org", first_name="Bo", consent=True),
        "silent": add_signature(campaign, email="silent@example.org", consent=False),
        "pending": add_signature(
            campaign, email="pending@example.org", consent=True, status="pending"
        ),
        "rejected": add_signature(
            campaign, email="rejected@example.org", consent=True, status="rejected"
        ),
    }
