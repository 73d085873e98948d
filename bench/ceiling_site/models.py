from django.db import models


class Action(models.Model):
    """A supporter's action: the same six fields as Clarion's signature, nothing else."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    country = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    consent = models.BooleanField(default=False)

    def __str__(self):
        return self.email
