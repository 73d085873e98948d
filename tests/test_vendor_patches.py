"""Private parts of Django, Wagtail, kombu and redis-py are reached only from cms/base/vendor
(`manage.py check --deploy`, so `make check`, holds it: cms.E002), and each patch there
runs only on a version it was tested on (cms.E001)."""

import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from cms.base import checks, vendor

BASE = Path(__file__).resolve().parent.parent


def test_the_application_reaches_no_private_name_outside_vendor():
    assert checks.private_accesses(BASE) == []


def test_every_patch_is_listed_with_its_upstream_and_runs_on_a_tested_version():
    assert checks.patches_are_tested_here(None) == []
    messages = checks.patches_in_force(None)
    assert [message.id for message in messages] == ["cms.I001"] * len(vendor.NAMES)
    for patch in vendor.patches():
        assert patch.LIBRARY and patch.UPSTREAM
        assert checks.installed(patch.LIBRARY) in patch.TESTED


def test_an_untested_version_fails_the_checks(monkeypatch):
    monkeypatch.setattr(checks, "installed", lambda library: (99, 0))
    errors = checks.patches_are_tested_here(None)
    assert {error.id for error in errors} == {"cms.E001"}
    assert len(errors) == len(vendor.NAMES)
    assert "cms/base/vendor/wagtail_renditions.py was written for wagtail 8.0" in " ".join(
        error.msg for error in errors
    )
    with pytest.raises(SystemCheckError):
        call_command("check")


@pytest.mark.parametrize(
    "code",
    [
        "host = request._get_raw_host()",  # Django's
        "request._wagtail_site = site",  # Wagtail's
        "routed = hasattr(request, '_wagtail_route_for_request')",
        "from django.utils.log import _something_private",
        "client = backend._cache.get_client(key)",
    ],
)
def test_a_private_name_outside_vendor_fails_the_deploy_checks(tmp_path, code):
    for package in checks.APPLICATION:
        (tmp_path / package).mkdir()
    (tmp_path / "signatures" / "views.py").write_text(
        textwrap.dedent(
            f"""
            class Mine:
                def __init__(self):
                    self._own = 1  # its own: fine

                def use(self, request, site, backend, key):
                    self._own += 1
                    {code}
            """
        )
    )
    (tmp_path / "cms" / "base" / "vendor").mkdir(parents=True)
    (tmp_path / "cms" / "base" / "vendor" / "patch.py").write_text("x = request._get_raw_host()\n")

    [(path, line, name)] = checks.private_accesses(tmp_path)
    assert path == "signatures/views.py" and line == 8 and name in code


def test_make_check_runs_the_private_names_check(monkeypatch):
    call_command("check", deploy=True, tags=["compatibility"])  # the code as it is passes
    found = [("signatures/views.py", 8, "_get_raw_host")]
    monkeypatch.setattr(checks, "private_accesses", lambda base: found)
    call_command("check")  # a deploy check: not run on every start-up
    with pytest.raises(SystemCheckError, match="signatures/views.py:8 reaches the private name"):
        call_command("check", deploy=True, tags=["compatibility"])
