"""Every index on the busiest tables earns its cost: each action INSERTs into all of them."""

import pytest
from django.db import models

from signatures.models import Delivery, Signature


def full_indexes(model) -> dict[str, tuple[str, ...]]:
    """The model's unconditional indexes (a partial index serves its own query), by name."""
    indexes = {
        f"{field.name} (field)": (field.column,)
        for field in model._meta.local_fields
        if field.db_index and not field.unique
    }
    indexes |= {
        index.name: tuple(model._meta.get_field(name).column for name in index.fields)
        for index in model._meta.indexes
        if index.condition is None and not index.expressions
    }
    indexes |= {
        constraint.name: tuple(model._meta.get_field(name).column for name in constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None
    }
    return indexes


@pytest.mark.parametrize("model", [Signature, Delivery])
def test_no_index_is_a_leading_part_of_another(model):
    indexes = full_indexes(model)
    redundant = [
        f"{name} is covered by {other}"
        for name, columns in indexes.items()
        for other, longer in indexes.items()
        if other != name and len(longer) > len(columns) and longer[: len(columns)] == columns
    ]
    assert redundant == []


def test_the_foreign_keys_are_still_indexed_by_what_leads_with_them():
    leading = {columns[0] for columns in full_indexes(Signature).values()}
    assert "campaign_id" in leading
    leading = {columns[0] for columns in full_indexes(Delivery).values()}
    assert {"signature_id", "target_id"} <= leading
