"""The creative rules as plain functions: rights against dates, deadlines, UTM, spec guesses."""

from __future__ import annotations

from datetime import date

import pytest

from mediadesk.domain.creative import (
    DeadlineState,
    Right,
    RightsState,
    deadline_status,
    earliest_expiry,
    rights_problems,
    rights_state,
    suggested_spec_key,
    template_fields,
    tracked_url,
    utm_value,
)

TODAY = date(2026, 11, 28)
MUSIC = Right("Music rights (Sunny Tunes)", None, date(2026, 12, 28))


def test_rights_state_by_days_left() -> None:
    assert rights_state(None, TODAY) is RightsState.OK
    assert rights_state(date(2026, 11, 27), TODAY) is RightsState.EXPIRED
    assert rights_state(date(2026, 11, 28), TODAY) is RightsState.EXPIRING  # last day still valid
    assert rights_state(date(2026, 12, 28), TODAY) is RightsState.EXPIRING
    assert rights_state(date(2026, 12, 29), TODAY) is RightsState.OK


def test_earliest_expiry_ignores_open_ended_rights() -> None:
    assert earliest_expiry([Right("Talent", None, None), MUSIC]) == date(2026, 12, 28)
    assert earliest_expiry([Right("Talent", None, None)]) is None


def test_run_past_the_expiry_is_refused_with_the_dates() -> None:
    problems = rights_problems([MUSIC], date(2026, 12, 1), date(2027, 1, 10), TODAY)
    assert problems == [
        "Music rights (Sunny Tunes) expire on 28 Dec 2026, but the run ends on 10 Jan 2027; "
        "end it on or before 28 Dec 2026 or renew the rights."
    ]
    assert rights_problems([MUSIC], date(2026, 12, 1), date(2026, 12, 28), TODAY) == []


def test_expired_rights_refuse_any_run() -> None:
    later = date(2026, 12, 29)
    problems = rights_problems([MUSIC], later, later, later)
    assert problems == [
        "Music rights (Sunny Tunes) expired on 28 Dec 2026; renew the rights before trafficking "
        "this asset."
    ]


def test_run_before_rights_start_is_refused() -> None:
    talent = Right("Talent rights (J. Doe)", date(2026, 12, 5), None)
    assert rights_problems([talent], date(2026, 12, 1), date(2026, 12, 31), TODAY) == [
        "Talent rights (J. Doe) start on 05 Dec 2026, but the run starts on 01 Dec 2026."
    ]


@pytest.mark.parametrize(
    ("deadline", "kwargs", "state", "sentence"),
    [
        (
            date(2026, 11, 20),
            {},
            DeadlineState.LATE,
            "Late by 8 days (deadline 20 Nov); no creative uploaded.",
        ),
        (
            date(2026, 11, 27),
            {"assets": 2, "in_review": 1},
            DeadlineState.LATE,
            "Late by 1 day (deadline 27 Nov); 1 of 2 in review.",
        ),
        (
            date(2026, 11, 28),
            {"assets": 1},
            DeadlineState.DUE,
            "Due today (28 Nov); 1 uploaded, none approved.",
        ),
        (date(2026, 11, 29), {}, DeadlineState.DUE, "Due tomorrow (29 Nov); no creative uploaded."),
        (date(2026, 12, 5), {}, DeadlineState.DUE, "Due in 7 days (05 Dec); no creative uploaded."),
        (date(2026, 12, 6), {}, DeadlineState.OPEN, "Due 06 Dec; no creative uploaded."),
        (None, {}, DeadlineState.NO_DEADLINE, "No material deadline; no creative uploaded."),
        (
            date(2026, 11, 1),
            {"approved": True},
            DeadlineState.APPROVED,
            "Approved; not yet trafficked.",
        ),
        (
            date(2026, 11, 1),
            {"approved": True, "trafficked": True},
            DeadlineState.READY,
            "Approved creative is trafficked.",
        ),
    ],
)
def test_deadline_status(deadline, kwargs, state, sentence) -> None:  # type: ignore[no-untyped-def]
    options = {"approved": False, "trafficked": False, **kwargs}
    status = deadline_status(deadline, TODAY, **options)
    assert (status.state, status.sentence) == (state, sentence)
    assert status.is_late is (state is DeadlineState.LATE)


def test_an_ended_placement_is_not_late() -> None:
    status = deadline_status(date(2026, 10, 1), TODAY, approved=False, trafficked=False,
                             ends=date(2026, 11, 1))  # fmt: skip
    assert (status.state, status.sentence) == (DeadlineState.ENDED, "Ended 01 Nov 2026.")
    running = deadline_status(date(2026, 10, 1), TODAY, approved=False, trafficked=False,
                              ends=TODAY)  # fmt: skip
    assert running.state is DeadlineState.LATE


def test_utm_values_are_one_spelling() -> None:
    assert utm_value(" Meta Ads ") == "meta_ads"
    assert utm_value("ProSiebenSat.1 / TV") == "prosiebensat.1_tv"


def test_tracked_url_replaces_keeps_and_orders_parameters() -> None:
    url = tracked_url(
        "https://shop.example.com/roast?ref=nl&utm_source=old#offer",
        {"utm_source": "{vendor}", "utm_medium": "{channel}", "utm_content": "{asset}-{version}"},
        {"vendor": "Spiegel Media", "channel": "display", "asset": "Autumn MPU", "version": "v2"},
    )
    assert url == (
        "https://shop.example.com/roast?ref=nl&utm_source=spiegel_media&utm_medium=display"
        "&utm_content=autumn_mpu-v2#offer"
    )


def test_tracked_url_refuses_non_web_addresses_and_unknown_fields() -> None:
    with pytest.raises(ValueError, match="is not a web address"):
        tracked_url("javascript:alert(1)", {}, {})
    with pytest.raises(ValueError, match=r"utm_term uses \{keyword\}; the fields are"):
        template_fields({"utm_term": "{keyword}"})
    with pytest.raises(ValueError, match="not a valid template"):
        template_fields({"utm_term": "{vendor"})


def test_utm_parameters_in_the_usual_order_whatever_the_template_order() -> None:
    template = {"utm_content": "{asset}", "x_team": "media", "utm_source": "{vendor}"}
    url = tracked_url("https://x.example/", template, {"vendor": "RMS", "asset": "Spot"})
    assert url == "https://x.example/?utm_source=rms&utm_content=spot&x_team=media"


def test_empty_utm_values_are_left_out() -> None:
    url = tracked_url(
        "https://x.example/", {"utm_source": "{vendor}", "utm_term": "{asset}"}, {"vendor": "RMS"}
    )
    assert url == "https://x.example/?utm_source=rms"


@pytest.mark.parametrize(
    ("channel", "vendor", "unit", "spot", "key"),
    [
        ("display", "Spiegel Media", "300x250", None, "iab-300x250"),
        ("display", "The Trade Desk", "728 x 90", None, "iab-728x90"),
        ("linear_tv", "ProSiebenSat.1", "30s spot", None, "spot-30s"),
        ("radio", "RMS", "spot", 15, "spot-15s"),
        ("search", "Google Ads", "RSA", None, "google-rsa"),
        ("search", "Microsoft Advertising", "RSA", None, "microsoft-rsa"),
        ("social", "TikTok", "9:16 video", None, "tiktok-in-feed"),
        ("social", "Meta", "Instagram reels", None, "meta-reels-copy"),
        ("podcast", "Podimo", "mid-roll", None, "podcast-mid-roll"),
        ("magazine", "Burda", "full page", None, "print-full-page"),
        ("newspaper", "FAZ", "1/2 page vertical", None, "print-half-vertical"),
        ("ooh", "Ströer", "18/1 poster", None, None),
    ],
)
def test_suggested_spec(
    channel: str, vendor: str, unit: str, spot: int | None, key: str | None
) -> None:
    assert suggested_spec_key(channel, vendor, unit, spot) == key
