"""The delivery pages: the Delivery tab (upload, queue, imports, pacing, charts), matching rules,
performance with its downloads, the pacing overview, and who may see and change what."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from mediadesk.delivery import services
from mediadesk.delivery.models import (
    DeliveryFact,
    DeliveryImport,
    DeliveryMapping,
    MatchingRule,
    PlacementDay,
)
from mediadesk.planning.models import Campaign

from .exports import SEARCH, SOCIAL, daily, google_ads

OCT = date(2026, 10, 5)
STRAY = "Contoso test campaign without a code"


def _campaign(demo: Any) -> Any:
    return demo.campaign("CTSO-5G26")


def _url(campaign: Any, tail: str = "") -> str:
    return f"/campaigns/{campaign.pk}/delivery/{tail}"


def _upload(data: bytes, name: str = "report.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _line(campaign: Any, code: str) -> str:
    return next(p.line_key for p in services.placements_for_delivery(campaign) if p.code == code)


def _spend(campaign: Any, line_key: str | None = None) -> Decimal:
    rows = PlacementDay.objects.filter(campaign=campaign)
    if line_key is not None:
        rows = rows.filter(line_key=line_key)
    return Decimal(rows.aggregate(s=Sum("spend"))["s"] or 0) / 1_000_000


def _import(demo: Any, rows: list[Any], name: str = "r.csv", **kwargs: Any) -> Any:
    return services.import_delivery(
        demo.alice, _campaign(demo), filename=name, data=google_ads(rows, **kwargs)
    ).record


def _with_stray(demo: Any) -> Any:
    """14 days of search (matched by its code) and 5 days of a campaign nobody coded."""
    return _import(demo, daily(OCT, 14, SEARCH, spend="2000.00") + daily(OCT, 5, STRAY))


def _viewer(demo: Any) -> User:
    user = User.objects.create_user(
        "vera@demo.test", "a-Long-pass-42", full_name="Vera Viewer",
        organization=demo.contoso.organization,
    )  # fmt: skip
    Membership.objects.create(user=user, client=demo.contoso, role=Role.VIEWER)
    return user


# --- Pages -------------------------------------------------------------------------------------


def test_pages_render_for_alice_before_anything_is_imported(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    page = client.get(_url(campaign))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nothing imported yet" in body
    assert "Import an export" in body and "data-dropzone" in body
    assert body.count('<tr data-placement="') == 5  # every placement is listed
    assert 'aria-current="page">Delivery' in body
    for tail in ("rules/", "performance/"):
        assert client.get(_url(campaign, tail)).status_code == 200
    overview = client.get("/delivery/pacing/")
    assert overview.status_code == 200
    assert "Pacing" in overview.content.decode()
    # The campaign's other tabs lead here.
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'href="/campaigns/{campaign.pk}/delivery/"' in detail


def test_a_campaign_without_a_plan_says_so(demo: Any, web_as: Any) -> None:
    campaign = Campaign.objects.create(
        client=demo.contoso, name="No plan yet", code="CTSO-NP27", start=date(2027, 1, 4),
        end=date(2027, 2, 28), budget=Decimal("1000.00"), currency="USD",
    )  # fmt: skip
    body = web_as(demo.alice).get(_url(campaign)).content.decode()
    assert "No plan to deliver against yet" in body
    assert "Import an export" not in body


def test_delivery_tab_shows_pacing_charts_queue_and_imports(demo: Any, web_as: Any) -> None:
    _with_stray(demo)
    body = web_as(demo.alice).get(_url(_campaign(demo))).content.decode()
    # Pacing as of the last day with delivery, the search line furthest off plan (0.78, under).
    assert "18 Oct 2026" in body
    assert "28,000.00" in body and "36,000.00" in body and "0.78" in body
    assert f'<tr data-placement="{SEARCH}" data-index="0.78">' in body
    indexes = re.findall(r'<tr data-placement="[^"]+" data-index="([^"]+)">', body)
    distances = [abs(Decimal(index) - 1) for index in indexes if index != "—"]
    assert len(indexes) == 5 and distances == sorted(distances, reverse=True)
    assert '<svg class="chart" id="index-chart"' in body
    assert '<svg class="chart" id="delivery-chart"' in body
    assert "Numbers behind the chart" in body
    # The queue and the import list.
    assert STRAY in body and "Assign" in body
    assert "r.csv" in body and "Roll back" in body
    assert "14 matched, 5 unmatched" in body


# --- Upload ------------------------------------------------------------------------------------


def test_uploading_a_good_file_records_it_and_redirects(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    data = google_ads(daily(OCT, 7, SEARCH) + daily(OCT, 3, STRAY))
    response = client.post(_url(campaign, "import/"), {"file": _upload(data, "week1.csv")})
    assert response.status_code == 302
    assert response["Location"] == _url(campaign) + "#unmatched"
    upload = DeliveryImport.objects.get()
    assert (upload.filename, upload.rows, upload.mapped_rows, upload.unmapped_rows) == (
        "week1.csv", 10, 7, 3,
    )  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert "week1.csv: 10 rows imported, 7 matched, 3 waiting in the unmatched queue" in page
    # The same file again changes nothing, and says so.
    again = client.post(_url(campaign, "import/"), {"file": _upload(data, "copy.csv")}, follow=True)
    assert "already imported as week1.csv" in again.content.decode()
    assert DeliveryImport.objects.count() == 1


def test_import_warnings_are_shown(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    data = google_ads(daily(OCT, 3, SEARCH) + daily(OCT, 3, SEARCH))  # every row twice
    response = client.post(_url(_campaign(demo), "import/"), {"file": _upload(data)}, follow=True)
    assert "3 rows repeat an earlier row exactly and were counted once." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Day,Campaign,Currency code,Impr.,Clicks,Cost\r\n2026-10-05,X,USD,100,5,abc\r\n",
         "report.csv", "row 2, Cost"),
        (b"Campaign,Impr.,Clicks,Cost\r\nX,100,5,1.00\r\n", "report.csv", "no day column"),
        (b"%PDF-1.4 not an export", "report.pdf", "report.pdf"),
    ],
    ids=["letters-in-numbers", "no-days", "wrong-kind"],
)  # fmt: skip
def test_a_bad_file_is_refused_with_the_reason_beside_the_field(
    demo: Any, web_as: Any, data: bytes, name: str, message: str
) -> None:
    response = web_as(demo.alice).post(
        _url(_campaign(demo), "import/"), {"file": _upload(data, name)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    error = body[body.index('id="delivery-file-error"') :]
    assert message in error[: error.index("</div>")]
    assert 'aria-describedby="delivery-file-error delivery-file-help"' in body
    assert DeliveryImport.objects.count() == 0
    assert DeliveryFact.objects.count() == 0


def test_an_upload_without_a_file_asks_for_one(demo: Any, web_as: Any) -> None:
    response = web_as(demo.alice).post(_url(_campaign(demo), "import/"), {})
    assert response.status_code == 200
    assert "Choose an export file" in response.content.decode()


def test_get_on_the_import_url_leads_to_the_upload(demo: Any, web_as: Any) -> None:
    campaign = _campaign(demo)
    response = web_as(demo.alice).get(_url(campaign, "import/"))
    assert response.status_code == 302 and response["Location"].endswith("delivery/#upload")


# --- An export of no known layout: the mapping step -------------------------------------------

# A German broadcaster's post-log whose headers no reader knows.
POST_LOG = (
    "Sendetag;Uhrzeit;Kanal;Format;Dauer;Reichweite GRP;Netto EUR\r\n"
    "05.10.2026;20:14;NBCUniversal;Prime;30;2,5;6.000,00\r\n"
    "06.10.2026;21:02;NBCUniversal;Prime;30;1,5;3.600,00\r\n"
)
POST_LOG_HEADERS = ["Sendetag", "Uhrzeit", "Kanal", "Format", "Dauer", "Reichweite GRP",
                    "Netto EUR"]  # fmt: skip
MAPPED = {"map-date": "Sendetag", "map-campaign": "Kanal", "map-ad_group": "Format",
          "map-grps": "Reichweite GRP", "map-spend": "Netto EUR"}  # fmt: skip


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _pending_files(media: Any) -> list[str]:
    folder = media / "pending" / "delivery"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _selected(body: str, field: str) -> str:
    select = body[body.index(f'name="map-{field}"') :]
    select = select[: select.index("</select>")]
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found[1] if found else ""


def _upload_post_log(client: Any, campaign: Any, text: str = POST_LOG) -> Any:
    return client.post(
        _url(campaign, "import/"), {"file": _upload(text.encode("cp1252"), "nbc-log.csv")}
    )


def _mapping_step(client: Any, campaign: Any, text: str = POST_LOG) -> str:
    """Upload a file of no known layout; the URL of its mapping step."""
    response = _upload_post_log(client, campaign, text)
    assert response.status_code == 302
    location: str = response["Location"]
    assert re.fullmatch(re.escape(_url(campaign, "map/")) + r"[0-9a-f-]{36}/", location)
    return location


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1].replace("-", "")


def test_an_unknown_layout_is_mapped_once_and_saved_for_the_next_file(
    demo: Any, web_as: Any, media: Any
) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    step = _mapping_step(client, campaign)
    assert not DeliveryImport.objects.exists()
    assert len(_pending_files(media)) == 1  # the file waits on the server, not in the session
    pending = client.session["delivery_pending"][_token(step)]
    assert (pending["user"], pending["campaign"]) == (demo.alice.pk, campaign.pk)
    assert pending["filename"] == "nbc-log.csv" and pending["path"].startswith("pending/")
    assert set(pending) == {"path", "filename", "campaign", "user", "at", "headers", "sample"}
    assert len(pending["sample"]) == 2  # its first rows to show, at most three

    page = client.get(step)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Map the columns of nbc-log.csv" in body
    for header in POST_LOG_HEADERS:
        assert f'<option value="{header}"' in body
    assert "Sendetag (e.g. 05.10.2026)" in body  # each column with an example of its cells
    assert "<td>6.000,00</td>" in body  # the file's first rows
    for label in ("Day (date)", "Account", "Campaign name", "Placement key (code or ID)",
                  "Currency", "Impressions", "Clicks", "Spend (cost)", "Conversions",
                  "Conversion value", "Video views", "Video completions", "Reach",
                  "Engagements", "GRPs", "Spots"):  # fmt: skip
        assert f">{label}" in body, label
    assert 'value="nbc-log"' in body  # "Save this mapping as", from the file's name
    # Nothing obviously names a field here (Reichweite GRP could be reach or GRPs).
    assert all(_selected(body, f) == "" for f in ("date", "campaign", "reach", "grps", "spend"))

    # No day: the reason beside the form, what was chosen still chosen, nothing imported.
    refused = client.post(step, {**MAPPED, "map-date": "", "map-save_as": "x"})
    assert refused.status_code == 200
    body = refused.content.decode()
    error = body[body.index('id="id_map-date_error"') :]
    assert "Say which column holds the day" in error[: error.index("</div>")]
    assert _selected(body, "spend") == "Netto EUR" and _selected(body, "grps") == "Reichweite GRP"
    assert not DeliveryImport.objects.exists() and not DeliveryMapping.objects.exists()
    assert len(_pending_files(media)) == 1

    # The full mapping, saved under a name: imported, the mapping kept, the file gone.
    done = client.post(step, {**MAPPED, "map-save_as": "NBC post-log"})
    assert done.status_code == 302 and done["Location"].startswith(_url(campaign))
    upload = DeliveryImport.objects.get()
    assert (upload.filename, upload.platform, upload.rows) == ("nbc-log.csv", "generic", 2)
    saved = DeliveryMapping.objects.get()
    assert (saved.client, saved.name) == (demo.contoso, "NBC post-log")
    assert saved.mapping["date"] == "Sendetag" and saved.mapping["spend"] == "Netto EUR"
    assert _pending_files(media) == []
    assert client.session.get("delivery_pending") == {}
    tab = client.get(done["Location"]).content.decode()
    assert "nbc-log.csv: 2 rows imported" in tab and "saved as “NBC post-log”" in tab
    assert client.get(step).status_code == 404  # nothing waits any more

    # The rules page lists the saved mapping.
    rules = client.get(_url(campaign, "rules/")).content.decode()
    listed = rules[rules.index('id="mappings-table"') :]
    assert "NBC post-log" in listed and 'Day (date) → <span class="code">Sendetag</span>' in listed

    # The next file of the same layout is imported straight away by the saved mapping.
    later = POST_LOG.replace("05.10.2026", "07.10.2026").replace("06.10.2026", "08.10.2026")
    again = _upload_post_log(client, campaign, later)
    assert again.status_code == 302 and "/map/" not in again["Location"]
    assert DeliveryImport.objects.count() == 2
    assert _pending_files(media) == []


def test_the_mapping_step_guesses_and_starts_from_a_saved_mapping(
    demo: Any, web_as: Any, media: Any
) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    text = ("Air date (local);Station name;Spot length;Impressions delivered;Net cost EUR;"
            "Anything\r\n05.10.2026;NBC;30;1000;50,00;x\r\n")  # fmt: skip
    step = _mapping_step(client, campaign, text)
    body = client.get(step).content.decode()
    assert _selected(body, "date") == "Air date (local)"
    assert _selected(body, "campaign") == "Station name"
    assert _selected(body, "impressions") == "Impressions delivered"
    assert _selected(body, "spend") == "Net cost EUR"
    assert _selected(body, "account") == "" and _selected(body, "clicks") == ""
    # A saved mapping to start from: only its columns the file has are chosen.
    services.save_delivery_mapping(demo.alice, demo.contoso, "Other vendor",
                                   {"date": "Spot length", "spend": "Nope"})  # fmt: skip
    body = client.get(step, {"mapping": "Other vendor"}).content.decode()
    assert "Start from a saved mapping" in body
    assert _selected(body, "date") == "Spot length" and _selected(body, "spend") == ""


def test_a_mapping_that_cannot_read_the_file_says_why_at_the_top(
    demo: Any, web_as: Any, media: Any
) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    step = _mapping_step(client, campaign)
    response = client.post(step, {**MAPPED, "map-date": "Kanal"})
    assert response.status_code == 200
    body = response.content.decode()
    error = body[body.index('id="map-error"') :]
    assert "not the numbers or dates" in error[: error.index("</div>")]
    assert _selected(body, "date") == "Kanal"
    assert not DeliveryImport.objects.exists() and len(_pending_files(media)) == 1
    # Cancelling forgets the file.
    cancelled = client.post(step, {"action": "cancel"})
    assert cancelled.status_code == 302 and _pending_files(media) == []
    assert client.get(step).status_code == 404


def test_a_saved_mapping_that_cannot_read_the_file_is_a_refusal_not_a_mapping_step(
    demo: Any, web_as: Any, media: Any
) -> None:
    services.save_delivery_mapping(demo.alice, demo.contoso, "Wrong",
                                   {"date": "Kanal", "spend": "Netto EUR"})  # fmt: skip
    response = _upload_post_log(web_as(demo.alice), _campaign(demo))
    assert response.status_code == 200
    assert "not the numbers or dates" in response.content.decode()
    assert _pending_files(media) == [] and not DeliveryImport.objects.exists()


def test_nobody_else_reaches_a_pending_upload(demo: Any, media: Any) -> None:
    from django.test import Client

    campaign = _campaign(demo)
    alice = Client()
    alice.force_login(demo.alice)
    step = _mapping_step(alice, campaign)
    entries = dict(alice.session["delivery_pending"])

    # Dan has no access to Contoso; Ben (a coordinator on it) has no upload waiting.
    dan = Client()
    dan.force_login(demo.dan)
    assert dan.get(step).status_code == 404
    assert dan.post(step, MAPPED).status_code == 404
    ben = Client()
    ben.force_login(demo.ben)
    assert ben.get(step).status_code == 404
    assert ben.post(step, MAPPED).status_code == 404
    # Alice's entry in Ben's session is still not his.
    session = ben.session
    session["delivery_pending"] = entries
    session.save()
    assert ben.get(step).status_code == 404
    assert ben.post(step, MAPPED).status_code == 404
    # Nor is her upload to this campaign reachable through another of her campaigns.
    other = demo.campaign("NWND-AR26")
    assert alice.get(step.replace(f"/{campaign.pk}/", f"/{other.pk}/")).status_code == 404
    assert alice.get(_url(campaign, f"map/{uuid.uuid4()}/")).status_code == 404
    # A viewer may not map at all.
    viewer = Client()
    viewer.force_login(_viewer(demo))
    assert viewer.get(step).status_code == 403
    assert not DeliveryImport.objects.exists() and len(_pending_files(media)) == 1
    assert alice.get(step).status_code == 200  # still hers


def test_a_pending_upload_expires_after_a_day(demo: Any, web_as: Any, media: Any) -> None:
    import os
    import time

    client = web_as(demo.alice)
    campaign = _campaign(demo)
    step = _mapping_step(client, campaign)
    session = client.session
    session["delivery_pending"][_token(step)]["at"] -= 2 * 86400
    session.save()
    response = client.get(step, follow=True)
    assert "no longer kept" in response.content.decode()
    assert _pending_files(media) == []
    # Files left behind by a mapping step never finished are swept by the next unknown upload.
    _mapping_step(client, campaign)
    (left,) = _pending_files(media)
    session = client.session
    del session["delivery_pending"]
    session.save()
    old = time.time() - 2 * 86400
    os.utime(media / "pending" / "delivery" / left, (old, old))
    _mapping_step(client, campaign)
    assert left not in _pending_files(media) and len(_pending_files(media)) == 1
    # A session keeps a few uploads waiting at once, the oldest going first.
    steps = [_mapping_step(client, campaign) for _ in range(6)]
    assert len(client.session["delivery_pending"]) == 5 and len(_pending_files(media)) == 5
    assert client.get(steps[0]).status_code == 404 and client.get(steps[-1]).status_code == 200


# --- Queue, roll-back, rules --------------------------------------------------------------------


def test_assigning_from_the_queue_moves_the_spend(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    _with_stray(demo)
    social = _line(campaign, SOCIAL)
    assert _spend(campaign, social) == 0
    (waiting,) = services.unmatched(campaign)
    response = client.post(
        _url(campaign, "assign/"), {"waiting": waiting.key, "line_key": social}, follow=True
    )
    assert response.status_code == 200
    assert _spend(campaign, social) == Decimal("500.00")
    assert services.unmatched(campaign) == []
    rule = MatchingRule.objects.get()
    assert (rule.kind, rule.source_campaign, rule.line_key) == ("manual", STRAY, social)
    body = response.content.decode()
    assert f"now count for {SOCIAL}" in body
    assert "Every imported row is matched to a placement." in body


def test_assigning_rows_that_are_gone_or_to_no_placement_explains(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    _with_stray(demo)
    (waiting,) = services.unmatched(campaign)
    gone = client.post(_url(campaign, "assign/"), {"waiting": "0" * 16, "line_key": "x"},
                       follow=True)  # fmt: skip
    assert "no longer waiting" in gone.content.decode()
    nowhere = client.post(
        _url(campaign, "assign/"), {"waiting": waiting.key, "line_key": "nope"}, follow=True
    )
    assert "Choose a placement of this campaign" in nowhere.content.decode()
    assert MatchingRule.objects.count() == 0


def test_rolling_back_an_import_removes_it(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    upload = _with_stray(demo)
    assert _spend(campaign) == Decimal("28000.00")
    response = client.post(f"/delivery/imports/{upload.pk}/rollback/", follow=True)
    assert response.status_code == 200
    assert "The import of r.csv is rolled back" in response.content.decode()
    assert not DeliveryImport.objects.exists()
    assert _spend(campaign) == 0 and not DeliveryFact.objects.exists()
    # The button asks once, naming the file.
    _with_stray(demo)
    page = client.get(_url(campaign)).content.decode()
    assert 'data-confirm="Roll back the import of r.csv?' in page


def test_rules_are_added_and_deleted(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    _with_stray(demo)
    social = _line(campaign, SOCIAL)
    response = client.post(
        _url(campaign, "rules/"),
        {"kind": "name_contains", "value": "without a code", "line_key": social,
         "platform": "google_ads"},
    )  # fmt: skip
    assert response.status_code == 302
    rule = MatchingRule.objects.get()
    assert (rule.kind, rule.value, rule.platform) == ("name_contains", "without a code",
                                                      "google_ads")  # fmt: skip
    assert _spend(campaign, social) == Decimal("500.00")  # the waiting rows were placed
    page = client.get(_url(campaign, "rules/")).content.decode()
    assert "Name contains" in page and "without a code" in page and SOCIAL in page
    assert "Google Ads" in page
    deleted = client.post(f"/delivery/rules/{rule.pk}/delete/", follow=True)
    assert "Rule removed" in deleted.content.decode()
    assert not MatchingRule.objects.exists()


def test_a_refused_rule_keeps_what_was_typed_and_says_why(demo: Any, web_as: Any) -> None:
    campaign = _campaign(demo)
    social = _line(campaign, SOCIAL)
    response = web_as(demo.alice).post(
        _url(campaign, "rules/"), {"kind": "pattern", "value": "**", "line_key": social}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "would match every name" in body
    assert 'value="**"' in body
    missing = web_as(demo.alice).post(_url(campaign, "rules/"), {"kind": "name_contains"})
    assert "This field is required" in missing.content.decode()
    assert not MatchingRule.objects.exists()


# --- Performance and downloads -------------------------------------------------------------------


def test_performance_page_and_downloads(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    _import(demo, daily(OCT, 14, SEARCH, spend="2000.00"))
    params = {"from": "2026-10-05", "to": "2026-10-18", "by": "placement"}
    page = client.get(_url(campaign, "performance/"), params).content.decode()
    assert "28,000.00" in page and "36,000.00" in page and "2.50 %" in page
    assert '<svg class="chart" id="channel-chart"' in page
    assert "/delivery/report/?from=2026-10-05&amp;to=2026-10-18&amp;format=xlsx" in page
    assert "/delivery/report/?from=2026-10-05&amp;to=2026-10-18&amp;format=pdf" in page

    response = client.get(_url(campaign, "performance/"), {**params, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    search = next(row for row in rows if row["Placement"] == SEARCH)
    assert Decimal(search["Spend"]) == Decimal("28000")
    assert Decimal(search["Planned spend"]) == Decimal("36000.00")
    assert (search["Impressions"], search["Clicks"]) == ("140000", "3500")
    assert (search["CTR %"], search["CPC"], search["Currency"]) == ("2.50", "8.00", "USD")
    assert rows[-1]["Placement"] == "Total" and Decimal(rows[-1]["Spend"]) == Decimal("28000")

    xlsx = client.get(_url(campaign, "performance/"), {**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    table = list(sheet.iter_rows(values_only=True))
    header = list(table[0])
    found = next(row for row in table[1:] if row[0] == SEARCH)
    assert found[header.index("Spend")] == 28000
    assert found[header.index("Clicks")] == 3500
    assert found[header.index("CPC")] == 8
    assert table[-1][0] == "Total"


def test_performance_by_week_exports_iso_weeks(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    _import(demo, daily(OCT, 14, SEARCH, spend="2000.00"))
    params = {"from": "2026-10-05", "to": "2026-10-18", "by": "week"}
    page = client.get(_url(campaign, "performance/"), params).content.decode()
    assert "Week of 5 Oct 2026" in page and "14,000.00" in page
    body = client.get(_url(campaign, "performance/"), {**params, "format": "csv"}).content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row["Week"] for row in rows] == ["2026-10-05", "2026-10-12", "Total"]


def test_performance_filters_that_cannot_be_read_fall_back(demo: Any, web_as: Any) -> None:
    campaign = _campaign(demo)
    response = web_as(demo.alice).get(
        _url(campaign, "performance/"), {"from": "2026-10-20", "to": "2026-10-01"}
    )
    assert response.status_code == 200
    assert "The end comes before the start" in response.content.decode()
    unreadable = (
        web_as(demo.alice)
        .get(_url(campaign, "performance/"), {"from": "2026-13-40", "to": "soon"})
        .content.decode()
    )
    assert "Enter a valid date" in unreadable
    assert "Some filters could not be read" in unreadable


def test_pacing_downloads(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    _with_stray(demo)
    body = client.get(_url(_campaign(demo)), {"format": "csv"}).content.decode("utf-8-sig")
    rows = {row["Placement"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows[SEARCH]["Pacing index"] == "0.78" and rows[SEARCH]["Delivered"] == "28000"
    assert rows[SEARCH]["As of"] == "2026-10-18" and rows[SEARCH]["Status"] == "Under"
    overview = client.get("/delivery/pacing/", {"format": "csv"}).content.decode("utf-8-sig")
    assert SEARCH in overview and "CTSO-5G26" in overview


def test_pacing_overview_lists_live_placements_furthest_off_first(demo: Any, web_as: Any) -> None:
    _with_stray(demo)
    client = web_as(demo.alice)
    body = client.get("/delivery/pacing/").content.decode()
    assert SEARCH in body and "5G Everywhere" in body
    assert f'href="/campaigns/{_campaign(demo).pk}/delivery/"' in body
    under = client.get("/delivery/pacing/", {"status": "under"}).content.decode()
    assert SEARCH in under and "On track</span>" not in under


# --- Who may see and change ---------------------------------------------------------------------


def test_a_client_reviewer_gets_404_on_every_delivery_page(demo: Any, web_as: Any) -> None:
    shared = demo.campaign("NWND-AR26")
    assert shared.shared_with_client
    code = services.placements_for_delivery(shared)[0].code
    upload = services.import_delivery(
        demo.alice, shared, filename="n.csv",
        data=google_ads(daily(OCT, 3, code), currency="EUR", account="Northwind DE"),
    ).record  # fmt: skip
    line_key = services.placements_for_delivery(shared)[0].line_key
    rule = services.add_rule(demo.alice, shared, kind="name_contains", value="x",
                             line_key=line_key)  # fmt: skip
    client = web_as(demo.dan)
    assert client.get(f"/campaigns/{shared.pk}/").status_code == 200  # he sees the campaign
    for tail in ("", "import/", "rules/", "performance/", "?format=csv",
                 "performance/?format=csv"):  # fmt: skip
        assert client.get(_url(shared, tail)).status_code == 404, tail
    for tail in ("import/", "assign/", "rules/"):
        assert client.post(_url(shared, tail), {}).status_code == 404, tail
    assert client.post(f"/delivery/imports/{upload.pk}/rollback/").status_code == 404
    assert client.post(f"/delivery/rules/{rule.pk}/delete/").status_code == 404
    assert DeliveryImport.objects.filter(pk=upload.pk).exists()
    assert MatchingRule.objects.filter(pk=rule.pk).exists()
    # No Delivery tab for him, and nothing of Northwind in the overview.
    detail = client.get(f"/campaigns/{shared.pk}/").content.decode()
    assert "/delivery/" not in detail.split('class="tabs"')[1].split("</nav>")[0]
    overview = client.get("/delivery/pacing/").content.decode()
    assert "NWND-AR26" not in overview and "No placement on air" in overview


def test_a_viewer_sees_delivery_but_cannot_change_it(demo: Any, web_as: Any) -> None:
    campaign = _campaign(demo)
    upload = _with_stray(demo)
    rule = services.add_rule(demo.alice, campaign, kind="name_contains", value="nothing",
                             line_key=_line(campaign, SOCIAL))  # fmt: skip
    client = web_as(_viewer(demo))
    page = client.get(_url(campaign))
    assert page.status_code == 200
    body = page.content.decode()
    assert "28,000.00" in body and STRAY in body
    assert "Import an export" not in body and "Roll back" not in body
    assert 'name="line_key"' not in body
    rules = client.get(_url(campaign, "rules/")).content.decode()
    assert "Add a rule" not in rules and "Delete" not in rules
    assert client.get(_url(campaign, "performance/"), {"format": "csv"}).status_code == 200
    (waiting,) = services.unmatched(campaign)
    data = google_ads(daily(OCT, 2, SOCIAL))
    refused = [
        client.post(_url(campaign, "import/"), {"file": _upload(data)}),
        client.post(_url(campaign, "assign/"),
                    {"waiting": waiting.key, "line_key": _line(campaign, SOCIAL)}),
        client.post(_url(campaign, "rules/"),
                    {"kind": "name_contains", "value": "x", "line_key": _line(campaign, SOCIAL)}),
        client.post(f"/delivery/imports/{upload.pk}/rollback/"),
        client.post(f"/delivery/rules/{rule.pk}/delete/"),
    ]  # fmt: skip
    assert [response.status_code for response in refused] == [403] * 5
    assert DeliveryImport.objects.count() == 1 and MatchingRule.objects.count() == 1
    assert len(services.unmatched(campaign)) == 1


def test_posts_need_csrf(demo: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.alice)
    campaign = _campaign(demo)
    data = google_ads(daily(OCT, 2, SEARCH))
    assert client.post(_url(campaign, "import/"), {"file": _upload(data)}).status_code == 403
    assert not DeliveryImport.objects.exists()


# --- Queries -------------------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_delivery_tab_costs_the_same_whatever_the_imports(demo: Any, web_as: Any) -> None:
    client = web_as(demo.alice)
    campaign = _campaign(demo)
    _import(demo, daily(OCT, 3, SEARCH) + daily(OCT, 3, STRAY), account="Account 0")
    few = _queries(client, _url(campaign))
    for n in range(1, 6):
        _import(demo, daily(OCT, 3, SEARCH) + daily(OCT, 3, f"{STRAY} {n}"),
                name=f"r{n}.csv", account=f"Account {n}")  # fmt: skip
    assert len(services.unmatched(campaign)) == 6
    assert _queries(client, _url(campaign)) == few


def test_the_index_chart_keeps_a_far_over_line_readable(demo: Any, web_as: Any) -> None:
    _import(demo, daily(OCT, 14, SOCIAL, spend="30000.00"))  # about 11.5 x the plan to date
    body = web_as(demo.alice).get(_url(_campaign(demo))).content.decode()
    chart = body[
        body.index('id="index-chart"') : body.index("</svg>", body.index('id="index-chart"'))
    ]
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', chart)
    assert 3 <= len(ticks) <= 8 and ticks[0] == "0.0"
    widths = [float(w) for w in re.findall(r'<rect class="bar [^"]*"[^>]* width="([^"]+)"', chart)]
    assert max(widths) <= 720
    assert "11.45 · Over" in chart


def test_pacing_overview_queries_do_not_grow_with_campaigns(demo: Any, web_as: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from mediadesk.delivery.demo import load_demo_delivery
    from mediadesk.planning.models import Campaign

    load_demo_delivery(demo.ben, date(2026, 11, 29))
    client = web_as(demo.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/delivery/pacing/").status_code == 200
        return len(captured)

    queries()  # the first request fills per-process caches
    every_campaign = queries()
    # Archived campaigns leave the overview: far fewer campaigns and clients, same queries.
    Campaign.objects.exclude(code__in=["CTSO-5G26", "NWND-AR26"]).update(archived_at=timezone.now())
    assert queries() == every_campaign
