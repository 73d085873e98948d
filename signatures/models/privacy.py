from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataRequest(models.Model):
    """A record of a data-protection request: erasure or subject access, who handled it, when.

    It keeps no personal data: the address is stored only as a keyed hash of its normalised
    form, enough to answer "was this address erased, and when?" for someone who has it.
    """

    class Kind(models.TextChoices):
        ERASURE = "erasure", _("erasure")
        ACCESS = "access", _("subject access")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ERASURE)
    address_hash = models.CharField(max_length=64, db_index=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    signatures = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("data-protection request")
        verbose_name_plural = _("data-protection requests")

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} request {self.pk}"


class ExportJob(models.Model):
    """A large CSV export made in the background, downloadable by its owner until it expires."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.TextField(blank=True, help_text=_("The moderation list's filter parameters."))
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"Export {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.written * 100 // self.total) if self.total else 0
