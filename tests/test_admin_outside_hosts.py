"""The admin contacts no outside host unless a setting says so (issue 15, finding 11).

Wagtail's update check is a script on the dashboard (the `w-upgrade` controller) that asks
releases.wagtail.org for the latest version; avatars are Gravatar images keyed by a hash of
each user's email. Both tell an outside host who uses this admin, and when.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/account/", "/admin/users/"]
UPDATE_CHECK = 'data-controller="w-upgrade'


def admin_html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_rendered_admin_page_references_no_outside_host_by_default(admin_client, url):
    html = admin_html(admin_client, url)
    assert "gravatar.com" not in html
    assert "releases.wagtail.org" not in html
    assert UPDATE_CHECK not in html


def test_each_can_be_switched_on(admin_client, settings):
    settings.WAGTAIL_ENABLE_UPDATE_CHECK = True
    settings.WAGTAIL_GRAVATAR_PROVIDER_URL = "//www.gravatar.com/avatar"
    html = admin_html(admin_client, "/admin/")
    assert UPDATE_CHECK in html
    assert "//www.gravatar.com/avatar/" in html


def test_the_switches_come_from_the_environment():
    script = (
        "from django.conf import settings\n"
        "print(settings.WAGTAIL_ENABLE_UPDATE_CHECK, settings.WAGTAIL_GRAVATAR_PROVIDER_URL)\n"
    )

    def read(**env_changes):
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAGTAIL_")}
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=settings.BASE_DIR,
            env=env
            | {"DJANGO_SETTINGS_MODULE": "cms.settings.production"}
            | {"SECRET_KEY": "x" * 50}
            | env_changes,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout.splitlines()[-1]

    assert read() == "False None"
    assert (
        read(WAGTAIL_ENABLE_UPDATE_CHECK="lts", WAGTAIL_GRAVATAR_PROVIDER_URL="//avatars.example/a")
        == "lts //avatars.example/a"
    )
    assert read(WAGTAIL_ENABLE_UPDATE_CHECK="true").startswith("True ")
