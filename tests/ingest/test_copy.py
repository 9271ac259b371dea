"""Structured ad copy and copy decks: normalized to the spec checks' field names, or refused."""

from __future__ import annotations

import json

import pytest

from mediadesk.domain.specs import SEED_SPECS, AssetKind, check
from mediadesk.ingest import copy
from mediadesk.ingest.copy import CopyError, CopyFacts, parse_copy, read_copy_file
from mediadesk.ingest.safety import UnsafeFile


def refused(data: dict[str, object]) -> str:
    with pytest.raises(CopyError) as error:
        parse_copy(data)
    return str(error.value)


# --- accepted -----------------------------------------------------------------------------------


def test_fields_are_named_as_the_specs_name_them() -> None:
    facts = parse_copy(
        {
            "Headlines": ["Fresh fish daily", "  Open till late  ", " "],
            "Description 2": "Second line",
            "description_1": "First line",
            "Path1": "fish",
            "display-path 2": "chips",
            "Primary text": "Our best catch yet.",
            "CTA": "Order now",
            "Final URL": "https://shop.example/fish?utm_source=ad",
        }
    )
    assert facts.copy == {
        "headline": ("Fresh fish daily", "Open till late"),
        "description": ("First line", "Second line"),
        "primary text": ("Our best catch yet.",),
        "path": ("fish", "chips"),
        "call to action": ("Order now",),
    }
    assert facts.final_url == "https://shop.example/fish?utm_source=ad"
    asset = facts.asset_facts()
    assert asset.kind == AssetKind.COPY
    assert asset.copy["headline"] == ["Fresh fish daily", "Open till late"]
    assert "final url" not in asset.copy  # a URL is not copy text
    stored = json.loads(json.dumps(facts.metadata()))
    assert stored["counts"] == {
        "headline": 2,
        "description": 2,
        "primary text": 1,
        "path": 2,
        "call to action": 1,
    }
    assert stored["final_url"] == facts.final_url


def test_numbered_items_keep_their_order_with_gaps_closed() -> None:
    facts = parse_copy(
        {"Headline 10": "ten", "Headline 2": "two", "Headline 3": "", "headline_1": "one"}
    )
    assert facts.copy["headline"] == ("one", "two", "ten")


def test_every_seed_spec_field_is_accepted() -> None:
    fields = {limit.field for spec in SEED_SPECS for limit in spec.copy_limits}
    facts = parse_copy({name: "text" for name in sorted(fields)})
    assert set(facts.copy) == fields


def test_the_spec_check_reads_the_copy() -> None:
    rsa = next(spec for spec in SEED_SPECS if spec.key == "google-rsa")
    facts = parse_copy(
        {
            "headlines": ["Fish", "Chips", "Fresh fish and chips, every day!"],
            "descriptions": ["Caught this morning.", "Fried to order."],
            "path 1": "fish",
        }
    )
    messages = [finding.message for finding in check(facts.asset_facts(), rsa)]
    assert messages == ["headline 3 is 32 characters, limit 30"]


# --- refused ------------------------------------------------------------------------------------


def test_unknown_fields_are_named_with_the_accepted_ones() -> None:
    message = refused({"headline": "Fish", "Subheadline": "Chips"})
    assert message.startswith("The copy: unknown copy field 'Subheadline'. Accepted fields: ")
    assert "headline, description, primary text, path, call to action, final url" in message


def test_values_must_be_text() -> None:
    assert refused({"headline": 42}) == (
        "The copy: 'headline' is a number (42), not text. Write it as text in quotes."
    )
    assert "'headlines' item 2 is an object" in refused({"headlines": ["a", {"b": 1}]})
    assert "'cta' is empty, not text" in refused({"headline": "a", "cta": None})
    assert "is true/false (true)" in refused({"headline": True})


def test_one_text_fields_take_one_text() -> None:
    assert "'final url' takes one text, not a list of 2" in refused(
        {"headline": "a", "final url": ["https://a.example", "https://b.example"]}
    )
    assert "'Headline 1' takes one text, not a list of 2" in refused({"Headline 1": ["a", "b"]})
    assert parse_copy({"cta": ["Buy"]}).copy["call to action"] == ("Buy",)


def test_a_field_given_twice_or_two_ways_is_refused() -> None:
    assert refused({"headline": "a", "Headlines": ["b"]}) == (
        "The copy: headline is given twice ('headline' and 'Headlines')."
    )
    assert "either as a list or as numbered fields" in refused(
        {"headlines": ["a"], "headline 2": "b"}
    )
    assert "headline 1 is given twice" in refused({"Headline 1": "a", "headline_1": "b"})


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("javascript:alert(1)", "does not start with http:// or https://"),
        ("www.shop.example/fish", "does not start with http:// or https://"),
        ("ftp://shop.example/", "does not start with http:// or https://"),
        ("https:///fish", "has no host name"),
        ("https://shop.example/a b", "contains spaces"),
    ],
)
def test_the_final_url_must_be_a_web_address(url: str, problem: str) -> None:
    message = refused({"headline": "Fish", "Final URL": url})
    assert message.startswith(f"The copy: the final URL {url!r} {problem}.")


def test_hard_caps() -> None:
    message = refused({"primary text": "x" * (copy.MAX_TEXT_CHARS + 1)})
    assert message == (
        "The copy: 'primary text' is 5,001 characters; a copy text may be at most 5,000."
    )
    assert "at most 50 are read" in refused({"headlines": ["h"] * 51})
    assert "holds control characters" in refused({"headline": "a\x00b"})


def test_copy_without_text_is_refused() -> None:
    empty: list[dict[str, object]] = [
        {},
        {"headlines": ["", "  "]},
        {"final url": "https://shop.example"},
    ]
    for data in empty:
        assert refused(data).startswith("The copy: no text was given.")


# --- copy decks ---------------------------------------------------------------------------------


def test_a_text_deck() -> None:
    deck = (
        "\ufeff# Summer campaign\n"
        "Headline: Fresh fish daily\n"
        "Headline: Open till late\n"
        "\n"
        "Description 1: Caught this morning.\n"
        "Final URL: https://shop.example/fish\n"
    ).encode()
    facts = read_copy_file(deck, "decks/summer.txt")
    assert facts == CopyFacts(
        copy={
            "headline": ("Fresh fish daily", "Open till late"),
            "description": ("Caught this morning.",),
        },
        final_url="https://shop.example/fish",
    )
    assert facts.source == "summer.txt"
    utf16 = read_copy_file("Headline: Fisch & Pommes\n".encode("utf-16"), "deck.txt")
    assert utf16.copy == {"headline": ("Fisch & Pommes",)}


def test_a_json_deck() -> None:
    deck = json.dumps({"headlines": ["Fish", "Chips"], "cta": "Order now"}).encode()
    facts = read_copy_file(deck, "deck.json")
    assert facts.copy == {"headline": ("Fish", "Chips"), "call to action": ("Order now",)}


def test_deck_errors_name_the_file_and_line() -> None:
    cases = {
        ("deck.txt", b"Headline: Fish\nFresh every day\n"): (
            "deck.txt: line 2 has no 'Field:' label (Fresh every day). Write each text as "
            "'Headline 1: …' on its own line."
        ),
        ("deck.txt", b"Headline: Fish\nSlogan: Fresh\n"): (
            "deck.txt: unknown copy field 'Slogan' (line 2). Accepted fields: "
        ),
        ("deck.txt", b"CTA: Buy\nCTA: Order\n"): (
            "deck.txt: call to action takes one text, but 2 were given."
        ),
        ("deck.json", b'{"headline": 5}'): "deck.json: 'headline' is a number (5), not text.",
        ("deck.json", b"[1, 2]"): "deck.json holds a JSON list, not an object of fields",
        ("deck.json", b'{"headline": '): "deck.json is not valid JSON (",
        ("deck.txt", b"Headline: caf\xe9\n"): "deck.txt is not UTF-8 text.",
        ("deck.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00"): (
            "deck.txt is not a text file (it looks like a PNG image)."
        ),
        ("deck.docx", b"Headline: Fish"): "deck.docx is not a copy deck: upload copy as a",
    }
    for (filename, data), expected in cases.items():
        with pytest.raises(CopyError) as error:
            read_copy_file(data, filename)
        assert str(error.value).startswith(expected), str(error.value)


def test_a_deck_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(copy, "MAX_DECK_BYTES", 1024 * 1024)
    with pytest.raises(CopyError, match=r"^deck\.txt is 2 MB; a copy deck may be at most 1 MB"):
        read_copy_file(b"Headline: x\n" * (2 * 1024 * 1024 // 12 + 1), "deck.txt")


def test_copy_errors_are_unsafe_files() -> None:
    assert issubclass(CopyError, UnsafeFile)
