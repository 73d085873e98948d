import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import GroupPagePermission

VIDEO_URL = "https://www.youtube.com/watch?v=clarion-demo"


@pytest.fixture
def video_embed(db):
    """The oEmbed answer for VIDEO_URL, stored as Wagtail stores fetched embeds: tests have no
    network, and Wagtail looks embeds up by URL before asking the provider."""
    return Embed.objects.create(
        url=VIDEO_URL,
        max_width=None,
        hash=get_embed_hash(VIDEO_URL),
        type="video",
        html='<iframe src="https://www.youtube.com/embed/clarion-demo" title="The vigil"></iframe>',
        title="The vigil",
        provider_name="YouTube",
        width=480,
        height=270,
    )


def make_editor(django_user_model, site, username, *, scripts=False):
    """An editor who may author and publish campaigns; with `scripts`, the scripts permission."""
    group, _ = Group.objects.get_or_create(name=f"Campaign editors {username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for kind in ("add", "change", "publish"):
        GroupPagePermission.objects.create(group=group, page=site.root_page, permission_type=kind)
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(group)
    if scripts:
        user.user_permissions.add(Permission.objects.get(codename="edit_scripts"))
    return user


@pytest.fixture
def editor(django_user_model, site):
    return make_editor(django_user_model, site, "editor")


@pytest.fixture
def scripts_editor(django_user_model, site):
    return make_editor(django_user_model, site, "scripter", scripts=True)
