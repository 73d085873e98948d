"""The in-project reference's model (its migration lives beside it, in bench/ only)."""

from django.db import models
from django_countries.fields import CountryField


class InProjectSignature(models.Model):
    """The same six fields as a signature, one row, nothing else."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    country = CountryField(blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    consent = models.BooleanField(default=False)

    def __str__(self):
        return self.email
