from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.naming import (
    DEFAULT_TEMPLATE,
    TOKENS,
    NamingError,
    check_template,
    duplicates,
    render_code,
)

VALUES = {
    "client": "Acme",
    "campaign": "Spring Sale 2026",
    "channel": "social",
    "vendor": "Meta",
    "market": "DE",
}


def test_default_template_renders_a_code() -> None:
    check_template(DEFAULT_TEMPLATE)
    assert render_code(DEFAULT_TEMPLATE, VALUES, date(2026, 10, 1)) == (
        "ACME_SPRING-SALE-2026_SOCIAL_META_DE_202610"
    )


def test_date_tokens_come_from_the_flight_start() -> None:
    code = render_code("{client}-{yyyy}-{mm}|{yyyymm}", {"client": "x"}, date(2027, 1, 4))
    assert code == "X-2027-01|202701"


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("  Société Générale  ", "SOCIETE-GENERALE"),
        ("Müller & Söhne", "MULLER-SOHNE"),
        ("Straße", "STRASSE"),
        ("300x250 / 728x90", "300X250-728X90"),
        ("(Berlin)", "BERLIN"),
        ("v1.2--beta", "V1.2-BETA"),
        ("ＡＢＣ", "ABC"),
    ],
)
def test_values_are_normalized(value: str, normalized: str) -> None:
    assert render_code("{vendor}", {"vendor": value}, date(2026, 1, 1)) == normalized


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_value_names_the_token(value: str | None) -> None:
    values = dict(VALUES)
    if value is None:
        del values["market"]
    else:
        values["market"] = value
    with pytest.raises(
        NamingError, match=r"The naming convention needs a market; this placement has none\."
    ):
        render_code(DEFAULT_TEMPLATE, values, date(2026, 10, 1))
    with pytest.raises(NamingError, match="needs an audience"):
        render_code("{audience}", {"audience": value or ""}, date(2026, 10, 1))


def test_a_value_with_nothing_usable_is_refused() -> None:
    with pytest.raises(NamingError, match="market 'Москва' has no letter or digit"):
        render_code("{market}", {"market": "Москва"}, date(2026, 10, 1))


def test_codes_longer_than_120_characters_are_refused() -> None:
    assert len(render_code("{client}", {"client": "A" * 120}, date(2026, 1, 1))) == 120
    with pytest.raises(NamingError, match="121 characters long; codes can be at most 120"):
        render_code("{client}", {"client": "A" * 121}, date(2026, 1, 1))


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("{client}_{campain}", r"uses \{campain\}, which mediadesk does not know"),
        ("{client}_{market", "unbalanced braces"),
        ("client}_{market}", "unbalanced braces"),
        ("{client{market}}", "unbalanced braces"),
        ("ACME_FIXED", "has no token"),
        ("{}", r"uses \{\}"),
    ],
)
def test_bad_templates_are_explained(template: str, message: str) -> None:
    with pytest.raises(NamingError, match=message) as caught:
        check_template(template)
    assert "Valid tokens: {client}, {campaign}" in str(caught.value)


def test_duplicates_ignore_case_and_blanks() -> None:
    codes = ["ACME_A", "acme_b", "Acme_a", "", "ACME_B", "ACME_C", "", "acme_a"]
    assert duplicates(codes) == {"ACME_A": [1, 3, 8], "acme_b": [2, 5]}
    assert duplicates([]) == {}


@given(st.dictionaries(st.sampled_from(sorted(TOKENS)), st.text(min_size=1, max_size=30)))
def test_rendered_codes_use_only_safe_characters(values: dict[str, str]) -> None:
    template = "_".join("{" + name + "}" for name in sorted(values)) or "{yyyymm}"
    try:
        code = render_code(template, values, date(2026, 10, 1))
    except NamingError:
        return  # a value with nothing usable in it; its message is tested above
    assert len(code) <= 120
    assert all(char.isascii() and (char.isalnum() or char in "_.-") for char in code)
    assert code == code.upper() and "--" not in code
