"""Directories of representatives: who a supporter writes to, found from their postal code.

A representative is a Target that belongs to a directory: letters to it go through the same
delivery rows, throttle, digest and publishing right as letters to a campaign's fixed
targets, so where letters go is guarded the same way (an edit is a draft until someone who
may publish targets publishes it; an import needs that right and is logged).

A directory maps postal codes, or their beginnings (Canada's forward sortation area `K1A`,
a UK outward code `SW1A`), to one or more representatives; the longest matching prefix
wins. Codes and prefixes are kept normalised: upper case, letters and digits only.
"""

from functools import lru_cache

from django.db import connections, models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from .targets import Target

#: The longest postal code kept, normalised (the longest in use is 10 characters).
MAX_POSTAL_CODE = 12


def normalise_postal_code(code: str | None) -> str:
    """`k1a 0a6` and `K1A-0A6` alike: `K1A0A6`. Case, spaces and punctuation are ignored."""
    return "".join(char for char in str(code or "").upper() if char.isalnum())[:MAX_POSTAL_CODE]


class Directory(models.Model):
    """A list of representatives, such as "House of Commons" or "Ontario MPPs"."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The last refresh applied (campaigns/directory_import/): when, from what file,
    # by whom (an admin user's name, or the operating-system user of a command-line run).
    refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    refreshed_from = models.CharField(_("refreshed from"), max_length=255, blank=True)
    refreshed_by = models.CharField(_("refreshed by"), max_length=150, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory of representatives")
        verbose_name_plural = _("directories of representatives")

    def __str__(self):
        return self.name


class RepresentativeManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(directory__isnull=False)


class Representative(Target):
    """A target of a directory (the same row: see the module's description)."""

    objects = RepresentativeManager()

    class Meta:
        proxy = True
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")


class PostalPrefixQuerySet(models.QuerySet):
    #: What a lookup reads of each representative: plain values, no model instances (the
    #: lookup runs on the action path).
    REPRESENTATIVE = ("name", "salutation", "email", "district", "party", "language", "live")

    def longest_match(self, directory_id: int, postal_code: str) -> list[dict]:
        """The representatives of the longest prefix of `postal_code` in the directory, as
        dicts of REPRESENTATIVE and `id`, in one indexed query (every prefix of the code
        is looked up at once).

        It runs on every action of a campaign writing to representatives: its SQL is built
        once per process and code length (building it cost more than running it), and
        PostgreSQL prepares it once per connection, as for the action's INSERT."""
        code = normalise_postal_code(postal_code)
        if not code:
            return []
        sql = self._longest_match_sql(len(code))
        prefixes = [code[:length] for length in range(1, len(code) + 1)]
        db = connections[self.db]
        prepared_cursor = getattr(db, "prepared_cursor", None)
        with prepared_cursor() if prepared_cursor else db.cursor() as cursor:
            cursor.execute(sql, [directory_id, *prefixes])
            rows = cursor.fetchall()
        longest = len(rows[0][0]) if rows else 0
        return [
            {"id": row[1]} | dict(zip(self.REPRESENTATIVE, row[2:], strict=True))
            for row in rows
            if len(row[0]) == longest
        ]

    def _longest_match_sql(self, length: int) -> str:
        return _longest_match_sql(self.db, length)


@lru_cache(maxsize=MAX_POSTAL_CODE + 1)
def _longest_match_sql(alias: str, length: int) -> str:
    """The lookup's statement for a code of `length` characters; its parameters are the
    directory's id, then the code's prefixes, shortest first."""
    placeholders = [f"prefix-{n}" for n in range(length)]
    columns = [f"representative__{name}" for name in PostalPrefixQuerySet.REPRESENTATIVE]
    query = (
        PostalPrefix.objects.using(alias)
        .filter(directory_id=-1, prefix__in=placeholders)
        .order_by(Length("prefix").desc(), "representative__name")
        .values_list("prefix", "representative_id", *columns)
        .query
    )
    sql, params = query.get_compiler(alias).as_sql()
    if list(params) != [-1, *placeholders]:  # the parameters must come as they are passed
        raise AssertionError(f"unexpected parameters of the lookup: {params!r}")
    return sql


class PostalPrefix(models.Model):
    """One postal code, or the beginning of one, and a representative it leads to."""

    directory = models.ForeignKey(
        Directory, on_delete=models.CASCADE, related_name="prefixes", db_index=False
    )
    prefix = models.CharField(_("postal code or its beginning"), max_length=MAX_POSTAL_CODE)
    representative = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="postal_prefixes"
    )

    objects = PostalPrefixQuerySet.as_manager()

    class Meta:
        verbose_name = _("postal code prefix")
        verbose_name_plural = _("postal code prefixes")
        constraints = [
            # Its index, leading with (directory, prefix), is also the lookup's.
            models.UniqueConstraint(
                fields=["directory", "prefix", "representative"],
                name="one_prefix_per_representative",
            )
        ]

    def __str__(self):
        return f"{self.prefix} → {self.representative}"
