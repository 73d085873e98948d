"""Generated hostile input shared by the form's and the API's property tests."""

import operator
import os

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from .corpus import XSS_PAYLOADS

# CLARION_HOSTILE_SCALE=10 runs ten times as many examples (for a longer local hunt).
SCALE = float(os.environ.get("CLARION_HOSTILE_SCALE", "1"))


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


# Derandomized so CI sees the same inputs every time.
HOSTILE = hypothesis_settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Every character but lone surrogates (which no form can encode), control characters included.
CHARACTERS = st.characters(exclude_categories=["Cs"])
CONTROL = st.characters(categories=["Cc"])
# Addresses of every shape the form must judge: plain, odd, disposable, IP and IDN domains.
# (Cheaper to draw than st.emails(), which was a third of the generation time.)
EMAILS = st.builds(
    "{}@{}".format,
    st.text(st.sampled_from("abcz09._+-'\"é"), min_size=1, max_size=12),
    st.sampled_from(
        [
            "example.org",
            "mailinator.com",
            "sub.yopmail.com",
            "[127.0.0.1]",
            "localhost",
            "xn--bcher-kva.example",
            "bücher.example",
            "example..org",
            "-x.example",
            "x" * 250,
        ]
    ),
)
TEXT = st.one_of(
    st.just(""),
    st.text(CHARACTERS, max_size=40),
    st.text(CONTROL, min_size=1, max_size=5),
    # Huge: a short piece repeated to thousands of characters.
    st.builds(operator.mul, st.text(CHARACTERS, min_size=1, max_size=6), st.integers(300, 6000)),
    st.sampled_from(XSS_PAYLOADS),
    st.integers().map(str),
    st.floats().map(str),
    st.sampled_from(["true", "false", "on", "off", "0", "1", "None", "null", "[]", "{}", "NaN"]),
    EMAILS,
)

# JSON may carry what a form cannot: lone surrogates as \ud800 escapes.
JSON_TEXT = st.one_of(TEXT, st.text(st.characters(categories=["Cs", "Cc", "Zl"]), max_size=8))
JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20),  # beyond 64 bits
    st.floats(allow_nan=False, allow_infinity=False),
    JSON_TEXT,
)
#: Any JSON value: scalars of every type, arrays and objects nested a few levels deep.
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=6,
)
