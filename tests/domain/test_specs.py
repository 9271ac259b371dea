"""The creative spec library and the automatic spec check."""

from __future__ import annotations

import dataclasses
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadesk.domain.specs import (
    SEED_SPECS,
    SEED_SPECS_BY_KEY,
    AspectRatio,
    AssetFacts,
    AssetKind,
    CopyLimit,
    Counting,
    Finding,
    PageSize,
    Severity,
    Size,
    Spec,
    check,
    check_all,
    count_characters,
    inches,
)

D = Decimal
SEED = SEED_SPECS_BY_KEY
K = AssetKind


def messages(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings]


def html5(**overrides: object) -> AssetFacts:
    values: dict[str, object] = {
        "kind": K.HTML5,
        "width": 300,
        "height": 250,
        "bytes": 120_000,
        "initial_load_bytes": 100_000,
        "subload_bytes": 150_000,
        "initial_requests": 6,
        "container": "zip",
    }
    values.update(overrides)
    return AssetFacts(**values)  # type: ignore[arg-type]


def copy(**fields: list[str]) -> AssetFacts:
    return AssetFacts(
        K.COPY, copy={name.replace("_", " "): texts for name, texts in fields.items()}
    )


# --- the issue's three examples -------------------------------------------------------------


def test_the_issue_examples_word_for_word() -> None:
    html = check(html5(initial_load_bytes=212_000), SEED["iab-300x250"])
    assert messages(html) == ["300x250 HTML5 zip: initial load 212 kB, limit 150 kB"]
    assert html[0].field == "initial load" and html[0].severity == Severity.BLOCKING

    video = check(AssetFacts(K.VIDEO, duration_seconds=D("31.2")), SEED["spot-30s"])
    assert messages(video) == ["video is 31.2 s, spot length 30 s"]
    assert video[0].field == "duration" and video[0].spec == "spot-30s"

    rsa = copy(headline=["a" * 30, "b" * 34, "c" * 12], description=["d" * 90, "e"])
    found = check(rsa, SEED["google-rsa"])
    assert messages(found) == ["headline 2 is 34 characters, limit 30"]
    assert found[0].field == "headline 2" and found[0].blocking


# --- kinds ----------------------------------------------------------------------------------


def test_a_kind_the_spec_does_not_accept_is_one_finding() -> None:
    audio = AssetFacts(K.AUDIO, bytes=10**9, duration_seconds=D(99))
    found = check(audio, SEED["iab-300x250"])
    assert found == [
        Finding(
            "iab-300x250",
            Severity.BLOCKING,
            "kind",
            "audio is not accepted by 300x250 (accepts image or HTML5)",
        )
    ]
    print_ad = AssetFacts(K.PRINT)
    assert messages(check(print_ad, SEED["tiktok-in-feed"])) == [
        "print ad is not accepted by TikTok in-feed (accepts video or copy)"
    ]


# --- dimensions ----------------------------------------------------------------------------


def test_exact_sizes() -> None:
    assert check(html5(), SEED["iab-300x250"]) == []
    found = check(html5(width=300, height=251), SEED["iab-300x250"])
    assert messages(found) == ["HTML5 is 300x251, required 300x250"]
    assert found[0].field == "dimensions"
    x_ad = SEED["x-image-ad"]
    assert check(AssetFacts(K.IMAGE, 800, 800, bytes=1), x_ad) == []
    assert messages(check(AssetFacts(K.IMAGE, 800, 600, bytes=1), x_ad)) == [
        "image is 800x600, required 800x418 or 800x800"
    ]
    interstitial = SEED["iab-phone-interstitial"]
    assert check(html5(width=750, height=1334), interstitial) == []


def test_aspect_ratios_with_tolerance_and_minimum() -> None:
    linkedin = SEED["linkedin-single-image"]
    for width, height in [(1200, 628), (1080, 1080), (1080, 1350), (600, 314)]:
        assert check(AssetFacts(K.IMAGE, width, height, bytes=1), linkedin) == []
    assert messages(check(AssetFacts(K.IMAGE, 1000, 700, bytes=1), linkedin)) == [
        "image is 1000x700 (1.4:1), accepted aspect ratios 1.91:1, 1:1 or 4:5"
    ]
    # 1% relative: 1.91 ± 0.0191
    assert check(AssetFacts(K.IMAGE, 1929, 1000, bytes=1), linkedin) == []
    assert check(AssetFacts(K.IMAGE, 1930, 1000, bytes=1), linkedin) != []

    tiktok = SEED["tiktok-in-feed"]
    tall = AssetFacts(K.VIDEO, 540, 960, bytes=1, duration_seconds=D(10), bitrate_kbps=D(900))
    assert messages(check(tall, tiktok)) == ["video is 540x960 (9:16), minimum 720x1280"]
    square = dataclasses.replace(tall, width=540, height=540)
    assert check(square, tiktok) == []  # the minimum belongs to 9:16 only


def test_unmeasured_dimensions_and_degenerate_sizes() -> None:
    found = check(html5(width=None), SEED["iab-300x250"])
    assert [(f.field, f.severity, f.message) for f in found] == [
        ("dimensions", Severity.WARNING, "HTML5 dimensions not measured")
    ]
    zero = AssetFacts(K.IMAGE, 0, 0, bytes=1)
    assert messages(check(zero, SEED["linkedin-single-image"])) == [
        "image is 0x0, which has no aspect ratio"
    ]


# --- weight ----------------------------------------------------------------------------------


def test_file_weight() -> None:
    linkedin = SEED["linkedin-single-image"]
    assert check(AssetFacts(K.IMAGE, 1200, 628, bytes=5_000_000), linkedin) == []
    found = check(AssetFacts(K.IMAGE, 1200, 628, bytes=6_200_000), linkedin)
    assert messages(found) == ["LinkedIn single image image: file weight 6.2 MB, limit 5 MB"]
    assert found[0].field == "weight"
    # One byte over never rounds to look like the limit.
    one_over = check(AssetFacts(K.IMAGE, 1200, 628, bytes=5_000_001), linkedin)
    assert messages(one_over) == [
        "LinkedIn single image image: file weight 5.000001 MB, limit 5 MB"
    ]
    assert messages(check(AssetFacts(K.IMAGE, 1200, 628), linkedin)) == ["file weight not measured"]


def test_initial_load_subload_and_requests() -> None:
    spec = SEED["iab-728x90"]
    facts = html5(width=728, height=90, initial_load_bytes=150_000, subload_bytes=300_000)
    assert check(facts, spec) == []
    over = dataclasses.replace(
        facts, initial_load_bytes=150_001, subload_bytes=412_345, initial_requests=12
    )
    assert messages(check(over, spec)) == [
        "728x90 HTML5 zip: initial load 150.001 kB, limit 150 kB",
        "728x90 HTML5 zip: subload 412.3 kB, limit 300 kB",
        "728x90 HTML5 zip: 12 file requests at initial load, limit 10",
    ]
    assert [f.field for f in check(over, spec)] == ["initial load", "subload", "file requests"]


def test_a_static_image_is_its_own_initial_load() -> None:
    spec = SEED["iab-320x50"]
    assert check(AssetFacts(K.IMAGE, 320, 50, bytes=50_000), spec) == []
    assert messages(check(AssetFacts(K.IMAGE, 320, 50, bytes=61_000), spec)) == [
        "320x50 image: initial load 61 kB, limit 50 kB"
    ]
    feature = SEED["iab-120x20"]
    assert messages(check(AssetFacts(K.IMAGE, 120, 20, bytes=5_400), feature)) == [
        "120x20 image: initial load 5.4 kB, limit 5 kB"
    ]


def test_html5_without_load_figures_is_warned_not_passed() -> None:
    found = check(
        html5(initial_load_bytes=None, subload_bytes=None, initial_requests=None),
        SEED["iab-300x250"],
    )
    assert all(f.severity == Severity.WARNING for f in found)
    assert [f.field for f in found] == ["initial load", "subload", "file requests"]


# --- duration, bitrate, loudness, formats -----------------------------------------------------


def test_spot_length_and_tolerance() -> None:
    spot = SEED["spot-30s"]
    assert spot.duration_tolerance_seconds == 0  # the reference gives none
    assert check(AssetFacts(K.AUDIO, duration_seconds=D("30.000")), spot) == []
    assert messages(check(AssetFacts(K.AUDIO, duration_seconds=D("30.04")), spot)) == [
        "audio is 30.04 s, spot length 30 s"
    ]
    assert messages(check(AssetFacts(K.VIDEO, duration_seconds=D("29.5")), spot)) == [
        "video is 29.5 s, spot length 30 s"
    ]
    lenient = dataclasses.replace(spot, duration_tolerance_seconds=D("0.5"))
    assert check(AssetFacts(K.VIDEO, duration_seconds=D("30.5")), lenient) == []
    assert check(AssetFacts(K.VIDEO, duration_seconds=D("29.5")), lenient) == []
    assert messages(check(AssetFacts(K.VIDEO, duration_seconds=D("30.52")), lenient)) == [
        "video is 30.52 s, spot length 30 s ± 0.5 s"
    ]
    assert messages(check(AssetFacts(K.VIDEO), spot)) == ["video duration not measured"]


def test_duration_range_and_recommendation() -> None:
    tiktok = SEED["tiktok-in-feed"]
    base = AssetFacts(K.VIDEO, 1080, 1920, bytes=1, bitrate_kbps=D(2000))
    assert check(dataclasses.replace(base, duration_seconds=D(12)), tiktok) == []
    short = check(dataclasses.replace(base, duration_seconds=D("4.96")), tiktok)
    assert messages(short) == ["video is 4.96 s, minimum 5 s"]
    long = check(dataclasses.replace(base, duration_seconds=D(61)), tiktok)
    assert messages(long) == ["video is 61 s, maximum 60 s"]  # no extra recommendation
    advised = check(dataclasses.replace(base, duration_seconds=D(30)), tiktok)
    assert [(f.severity, f.message) for f in advised] == [
        (Severity.WARNING, "video is 30 s, recommended 9–15 s")
    ]
    mid_roll = SEED["podcast-mid-roll"]
    assert messages(check(AssetFacts(K.AUDIO, duration_seconds=D(45)), mid_roll)) == [
        "audio is 45 s, minimum 60 s"
    ]
    assert messages(check(AssetFacts(K.AUDIO, duration_seconds=D(120)), mid_roll)) == [
        "audio is 120 s, recommended at most 90 s"
    ]
    pre_roll = SEED["podcast-pre-roll"]
    assert check(AssetFacts(K.AUDIO, duration_seconds=D(20)), pre_roll) == []
    assert check(AssetFacts(K.AUDIO), SEED["podcast-post-roll"]) == []  # no length given


def test_bitrate_loudness_formats_and_codecs() -> None:
    tiktok = SEED["tiktok-in-feed"]
    slow = AssetFacts(K.VIDEO, 720, 1280, bytes=1, duration_seconds=D(10), bitrate_kbps=D(400))
    assert messages(check(slow, tiktok)) == ["video bitrate is 400 kbps, minimum 516 kbps"]
    broadcast = Spec(
        key="tv-30",
        name="TV 30s",
        kinds=frozenset({K.VIDEO}),
        spot_length_seconds=D(30),
        max_loudness_lufs=D(-23),
        formats=frozenset({"MP4", ".mov"}),
        codecs=frozenset({"h264"}),
    )
    good = AssetFacts(
        K.VIDEO, duration_seconds=D(30), loudness_lufs=D(-23), container="mov", codec="H264"
    )
    assert check(good, broadcast) == []
    bad = dataclasses.replace(good, loudness_lufs=D("-20.4"), container="avi", codec="vp9")
    assert messages(check(bad, broadcast)) == [
        "video format is avi, accepted mov or mp4",
        "video codec is vp9, accepted h264",
        "video loudness is -20.4 LUFS, limit -23 LUFS",
    ]
    unmeasured = check(AssetFacts(K.VIDEO, duration_seconds=D(30)), broadcast)
    assert {f.field for f in unmeasured} == {"format", "codec", "loudness"}
    assert all(f.severity == Severity.WARNING for f in unmeasured)


# --- print ------------------------------------------------------------------------------------


def test_print_page_size_and_colour_mode() -> None:
    full = SEED["print-full-page"]
    assert [(p.width_mm, p.height_mm) for p in full.page_sizes] == [
        (D("206.375"), D("276.225")),
        (D("212.725"), D("282.575")),
    ]
    trim = AssetFacts(K.PRINT, page_width_mm=inches("8.125"), page_height_mm=inches("10.875"))
    bleed = AssetFacts(K.PRINT, page_width_mm=D("212.725"), page_height_mm=D("282.575"))
    assert check(trim, full) == [] and check(bleed, full) == []
    a4 = AssetFacts(K.PRINT, page_width_mm=D(210), page_height_mm=D(297))
    found = check(a4, full)
    assert messages(found) == [
        "print ad is 210x297 mm, required 206.375x276.225 mm (trim) or 212.725x282.575 mm (bleed)"
    ]
    assert found[0].field == "page size"
    cmyk = Spec(
        key="mag",
        name="Magazine page",
        kinds=frozenset({K.PRINT}),
        page_sizes=(PageSize(D(210), D(297)),),
        page_tolerance_mm=D("0.5"),
        colour_modes=frozenset({"cmyk"}),
    )
    near = AssetFacts(K.PRINT, page_width_mm=D("210.4"), page_height_mm=D("296.6"))
    assert check(dataclasses.replace(near, colour_mode="CMYK"), cmyk) == []
    assert messages(check(dataclasses.replace(near, colour_mode="rgb"), cmyk)) == [
        "print ad colour mode is RGB, required CMYK"
    ]
    assert messages(check(AssetFacts(K.PRINT, colour_mode="CMYK"), cmyk)) == [
        "page size not measured"
    ]


# --- copy -------------------------------------------------------------------------------------


def test_copy_counts() -> None:
    rsa = SEED["google-rsa"]
    too_many = copy(headline=["h"] * 16, description=["d", "e"])
    found = check(too_many, rsa)
    assert messages(found) == ["16 headlines, at most 15"]
    assert found[0].field == "headlines"
    too_few = check(copy(headline=["a", "b"], description=["d"]), rsa)
    assert messages(too_few) == ["2 headlines, at least 3", "1 description, at least 2"]
    nothing = check(AssetFacts(K.COPY), SEED["microsoft-rsa"])
    assert messages(nothing) == ["0 headlines, at least 3", "0 descriptions, at least 2"]
    paths = check(copy(headline=["a"] * 3, description=["b"] * 2, path=["x"] * 3), rsa)
    assert messages(paths) == ["3 paths, at most 2"]


def test_copy_lengths_count_code_points_not_bytes() -> None:
    rsa = SEED["google-rsa"]
    accented = "Crème brûlée à volonté, ça va!"  # 30 code points, 36 UTF-8 bytes
    assert len(accented) == 30 and len(accented.encode()) > 30
    decomposed = unicodedata.normalize("NFD", accented)
    assert len(decomposed) > 30
    ok = copy(headline=[accented, decomposed, "x"], description=["d", "e"])
    assert check(ok, rsa) == []
    emoji = "Sale 🎉" * 5  # 6 code points each time
    assert count_characters(emoji) == 30
    assert check(copy(headline=[emoji, "b", "c"], description=["d", "e"]), rsa) == []
    over = check(copy(headline=[emoji + "!", "b", "c"], description=["d", "e"]), rsa)
    assert messages(over) == ["headline 1 is 31 characters, limit 30"]
    assert count_characters("👍🏽") == 2 and count_characters("❤️") == 2


def test_double_width_paths_and_x_links() -> None:
    rsa = SEED["google-rsa"]
    base = {"headline": ["a", "b", "c"], "description": ["d", "e"]}
    seven = AssetFacts(K.COPY, copy={**base, "path": ["日本語の靴下店", "x" * 15]})
    assert check(seven, rsa) == []
    eight = AssetFacts(K.COPY, copy={**base, "path": ["日本語の靴下店舗"]})
    assert messages(check(eight, rsa)) == ["path 1 is 16 characters, limit 15"]
    assert count_characters("ｆｕｌｌ", Counting.DOUBLE_WIDTH) == 8

    x_ad = SEED["x-image-ad"]
    link = "https://example.com/" + "a" * 200
    assert count_characters(f"Read more {link}", Counting.X_POST) == 10 + 23
    post = "p" * 257 + link
    assert check(AssetFacts(K.COPY, copy={"post": [post]}), x_ad) == []
    assert messages(check(AssetFacts(K.COPY, copy={"post": ["p" + post]}), x_ad)) == [
        "post is 281 characters, limit 280"
    ]


def test_recommended_lengths_warn_and_hard_limits_block() -> None:
    meta = SEED["meta-ad-copy"]
    found = check(copy(primary_text=["p" * 140], headline=["h" * 41]), meta)
    assert [(f.severity, f.field, f.message) for f in found] == [
        (Severity.WARNING, "primary text 1", "primary text 1 is 140 characters, recommended 125"),
        (Severity.WARNING, "headline 1", "headline 1 is 41 characters, recommended 40"),
    ]
    assert messages(check(copy(primary_text=["p" * 2201]), meta)) == [
        "primary text 1 is 2201 characters, limit 2200"
    ]
    linkedin = SEED["linkedin-single-image"]
    assert messages(check(copy(headline=["h" * 71]), linkedin)) == [
        "headline is 71 characters, recommended 70"
    ]
    assert check(copy(headline=["h" * 201]), linkedin)[0].severity == Severity.BLOCKING


def test_tiktok_text_rules() -> None:
    tiktok = SEED["tiktok-in-feed"]
    assert check(copy(ad_description=["Shop the autumn range"]), tiktok) == []
    assert messages(check(copy(ad_description=["Too short"]), tiktok)) == [
        "ad description is 9 characters, minimum 12"
    ]
    cjk = "秋のコレクション" * 6 + "新作"  # 50 CJK characters count as 100
    assert check(copy(ad_description=[cjk]), tiktok) == []
    assert messages(check(copy(ad_description=[cjk + "!"]), tiktok)) == [
        "ad description is 101 characters, limit 100"
    ]
    assert messages(check(copy(ad_description=["Autumn sale 🍂 #deals {now}"]), tiktok)) == [
        "ad description contains characters not allowed: '🍂', '#', '{', '}'"
    ]
    assert messages(check(copy(brand_name=["A"], app_name=["x" * 41]), tiktok)) == [
        "brand name is 1 character, minimum 2",
        "app name is 41 characters, limit 40",
    ]


def test_copy_beside_a_file_and_unknown_fields() -> None:
    tiktok = SEED["tiktok-in-feed"]
    video = AssetFacts(K.VIDEO, 1080, 1920, bytes=1, duration_seconds=D(10), bitrate_kbps=D(1000))
    assert check(video, tiktok) == []  # its ad text is checked when it comes, not required here
    with_text = dataclasses.replace(video, copy={"ad description": ["short"]})
    assert messages(check(with_text, tiktok)) == ["ad description is 5 characters, minimum 12"]
    typo = check(
        copy(headlines=["a"], headline=["a"] * 3, description=["d"] * 2), SEED["google-rsa"]
    )
    assert [(f.severity, f.message) for f in typo] == [
        (Severity.WARNING, "copy field 'headlines' is not part of Google RSA")
    ]


# --- the library and validation ---------------------------------------------------------------


def test_seed_library_takes_the_reference_numbers() -> None:
    iab = {key: spec for key, spec in SEED.items() if key.startswith("iab-")}
    assert (iab["iab-970x250"].max_initial_load_bytes, iab["iab-970x250"].max_subload_bytes) == (
        250_000,
        500_000,
    )
    assert iab["iab-160x600"].max_initial_load_bytes == 150_000
    assert iab["iab-300x50"].max_initial_load_bytes == iab["iab-320x50"].max_initial_load_bytes
    assert iab["iab-216x36"].max_subload_bytes is None  # the reference gives 5 kB only
    assert all(spec.max_initial_requests == 10 for spec in iab.values())
    assert "iab-300x600" not in SEED  # not in the reference: left out, not invented
    limits = {limit.field: limit for limit in SEED["google-rsa"].copy_limits}
    assert (limits["headline"].max_chars, limits["headline"].max_count) == (30, 15)
    assert (limits["description"].max_chars, limits["description"].max_count) == (90, 4)
    assert limits["path"].max_chars == 15
    assert {SEED[f"spot-{n}s"].spot_length_seconds for n in (15, 30, 60)} == {
        D(15),
        D(30),
        D(60),
    }
    assert all(spec.max_loudness_lufs is None and not spec.codecs for spec in SEED_SPECS)
    assert all(spec.source for spec in SEED_SPECS)


def test_check_all_runs_each_spec_once() -> None:
    facts = html5(initial_load_bytes=212_000)
    found = check_all(facts, [SEED["iab-300x250"], SEED["iab-300x250"], SEED["iab-728x90"]])
    assert [f.spec for f in found] == ["iab-300x250", "iab-728x90", "iab-728x90"]


def test_invalid_specs_are_refused() -> None:
    with pytest.raises(ValueError, match="no asset kind"):
        Spec(key="x", name="X", kinds=frozenset())
    with pytest.raises(ValueError, match="positive"):
        Spec(key="x", name="X", kinds=frozenset({K.IMAGE}), max_bytes=0)
    with pytest.raises(ValueError, match="minimum duration"):
        Spec(
            key="x",
            name="X",
            kinds=frozenset({K.VIDEO}),
            min_duration_seconds=D(10),
            max_duration_seconds=D(5),
        )
    with pytest.raises(ValueError, match="twice"):
        Spec(
            key="x",
            name="X",
            kinds=frozenset({K.COPY}),
            copy_limits=(CopyLimit("headline"), CopyLimit("headline")),
        )
    with pytest.raises(ValueError, match="at most"):
        CopyLimit("headline", min_count=3, max_count=2)
    with pytest.raises(ValueError, match="Decimal"):
        AssetFacts(K.VIDEO, duration_seconds=30.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        AspectRatio(D(0), D(1))
    with pytest.raises(ValueError, match="positive"):
        Size(0, 250)


# --- properties -------------------------------------------------------------------------------


def meeting(spec: Spec, kind: AssetKind) -> AssetFacts:
    """An asset that meets every limit of ``spec`` exactly (at the edge, not inside it)."""
    width = height = None
    if spec.sizes:
        width, height = spec.sizes[0].width, spec.sizes[0].height
    elif spec.aspect_ratios:
        aspect = spec.aspect_ratios[0]
        if aspect.min_width and aspect.min_height:
            width, height = aspect.min_width, aspect.min_height
        else:
            width, height = int(aspect.width * 100), int(aspect.height * 100)
    duration = (
        spec.spot_length_seconds
        if spec.spot_length_seconds is not None
        else spec.recommended_max_duration_seconds
        or spec.max_duration_seconds
        or spec.min_duration_seconds
    )
    page = spec.page_sizes[0] if spec.page_sizes else None
    texts: dict[str, list[str]] = {}
    if kind == K.COPY:
        for limit in spec.copy_limits:
            length = limit.recommended_chars or limit.max_chars or limit.min_chars or 5
            count = limit.max_count or max(limit.min_count, 2)
            texts[limit.field] = ["a" * length] * count
    return AssetFacts(
        kind=kind,
        width=width,
        height=height,
        bytes=spec.max_bytes or 1,
        initial_load_bytes=spec.max_initial_load_bytes,
        subload_bytes=spec.max_subload_bytes,
        initial_requests=spec.max_initial_requests,
        duration_seconds=duration,
        bitrate_kbps=None if spec.min_bitrate_kbps is None else D(spec.min_bitrate_kbps),
        loudness_lufs=spec.max_loudness_lufs,
        page_width_mm=page.width_mm if page else None,
        page_height_mm=page.height_mm if page else None,
        copy=texts,
    )


def one_over(spec: Spec, facts: AssetFacts) -> list[tuple[str, AssetFacts]]:
    """Each limit broken by one unit, with the finding's field it must give."""
    replace = dataclasses.replace
    cases: list[tuple[str, AssetFacts]] = []
    kind = facts.kind
    if kind in (K.IMAGE, K.VIDEO, K.HTML5) and facts.width is not None:
        if spec.sizes:
            cases.append(("dimensions", replace(facts, width=facts.width + 1)))
        elif spec.aspect_ratios[0].min_width:
            cases.append(("dimensions", replace(facts, width=facts.width - 1)))
    if kind != K.COPY and spec.max_bytes is not None:
        cases.append(("weight", replace(facts, bytes=spec.max_bytes + 1)))
    if kind in (K.IMAGE, K.HTML5) and spec.max_initial_load_bytes is not None:
        bigger = spec.max_initial_load_bytes + 1
        cases.append(("initial load", replace(facts, initial_load_bytes=bigger)))
    if kind == K.HTML5 and spec.max_subload_bytes is not None:
        cases.append(("subload", replace(facts, subload_bytes=spec.max_subload_bytes + 1)))
    if kind == K.HTML5 and spec.max_initial_requests is not None:
        more = spec.max_initial_requests + 1
        cases.append(("file requests", replace(facts, initial_requests=more)))
    if kind in (K.VIDEO, K.AUDIO) and facts.duration_seconds is not None:
        tick = D("0.001")
        cases.append(("duration", replace(facts, duration_seconds=facts.duration_seconds + tick)))
        if spec.spot_length_seconds is not None or spec.min_duration_seconds is not None:
            low = spec.spot_length_seconds or spec.min_duration_seconds
            assert low is not None
            cases.append(("duration", replace(facts, duration_seconds=low - tick)))
    if kind in (K.VIDEO, K.AUDIO) and spec.min_bitrate_kbps is not None:
        slower = D(spec.min_bitrate_kbps - 1)
        cases.append(("bitrate", replace(facts, bitrate_kbps=slower)))
    if kind == K.PRINT and facts.page_width_mm is not None:
        wider = facts.page_width_mm + D("0.001")
        cases.append(("page size", replace(facts, page_width_mm=wider)))
    if kind == K.COPY:
        for limit in spec.copy_limits:
            texts = list(facts.copy[limit.field])
            if limit.recommended_chars or limit.max_chars:
                longer = [texts[0] + "a", *texts[1:]]
                cases.append((limit.item_name(1), replace(facts, copy={limit.field: longer})))
            if limit.max_count is not None:
                extra = [*texts, texts[0]]
                cases.append((limit.plural_name, replace(facts, copy={limit.field: extra})))
    return cases


@given(st.sampled_from(SEED_SPECS), st.data())
def test_meeting_a_seed_spec_exactly_passes_and_one_unit_over_fails(
    spec: Spec, data: st.DataObject
) -> None:
    kind = data.draw(st.sampled_from(sorted(spec.kinds)))
    facts = meeting(spec, kind)
    assert check(facts, spec) == []
    for field_name, broken in one_over(spec, facts):
        found = check(broken, spec)
        assert field_name in {f.field for f in found}, (field_name, messages(found))


@given(st.text(min_size=1, max_size=60))
def test_a_text_at_its_limit_passes_and_one_below_fails(text: str) -> None:
    length = len(unicodedata.normalize("NFC", text))
    assert count_characters(text) == length <= len(text.encode("utf-8", "surrogatepass"))
    spec = Spec(
        key="t",
        name="T",
        kinds=frozenset({K.COPY}),
        copy_limits=(CopyLimit("headline", max_chars=length),),
    )
    assert check(AssetFacts(K.COPY, copy={"headline": [text]}), spec) == []
    if length > 1:
        tighter = dataclasses.replace(
            spec, copy_limits=(CopyLimit("headline", max_chars=length - 1),)
        )
        found = check(AssetFacts(K.COPY, copy={"headline": [text]}), tighter)
        assert messages(found) == [f"headline 1 is {length} characters, limit {length - 1}"]
