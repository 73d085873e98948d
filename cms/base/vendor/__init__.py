"""Every use of a private attribute or function of Django, Wagtail, kombu or redis-py.

Clarion's speed-ups go through public seams (a middleware, a cache, a template tag, a
database backend). Where a library offers none, the private part is reached from one module
here, and nowhere else: each module names the library (LIBRARY), the versions it was
written and tested for (TESTED, major and minor), and the upstream fix it copies or the
upstream code it reaches into (UPSTREAM), and says why. The system checks (cms/base/checks.py):
`cms.E001` fails when an installed version is not one a patch was tested on; with
`--deploy`, `cms.I001` lists what is patched and `cms.E002` fails when code outside this
package reaches a private name of another library.
"""

from importlib import import_module

#: The modules here, by name: importing one (the database backend imports its own while
#: Django sets up) must not import the others, which need Django set up.
NAMES = (
    "django_logging",
    "django_postgresql",
    "django_redis",
    "kombu_redis",
    "wagtail_autosave_clicks",
    "wagtail_inline_rows",
    "wagtail_renditions",
    "wagtail_routing",
)


def patches() -> list:
    return [import_module(f"{__name__}.{name}") for name in NAMES]
