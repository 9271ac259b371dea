"""Creative for the demo campaigns: real files of every kind, made on the spot, and taken through
the same services a coordinator uses, so what the demo shows was measured and checked for real.

The files are generated into a temporary folder: images drawn with Pillow (with the brand's name
on them), 30-second spots and radio spots made with ffmpeg from its test sources, an HTML5
banner zip, a print PDF from WeasyPrint, and search copy. They are uploaded by Ben (the
coordinator), so they are stored, inspected and checked against their placements' specs.

What the demo shows:

- Northwind, *Autumn Roast Launch*: the TV spot approved through every stage (creative lead,
  legal, then Dan, the client's reviewer) with a resolved time-code comment, trafficked to the TV
  line; a director's cut of 31.2 s that breaks the 30-second spot; the 300x250 HTML5 banner whose
  first version was over its 150 kB initial load (changes requested), fixed in version 2,
  approved and trafficked with a tracked click URL; the Instagram image in review at the legal
  stage with comments pinned to a point and a region, a reply, an @mention and one resolved; the
  radio spot; a key visual whose stock photo licence has expired.
- Northwind, *Winter Tea Moments*: the Landlust full page as a print PDF, and search copy with
  a headline over Google's 30 characters.
- Contoso Mobile, *Holiday Bundles*: a 30-second spot whose music licence expires next month,
  approved by the client through a review link and trafficked to Hulu up to that expiry (it
  cannot run longer); the iHeart radio spot. *5G Everywhere*: search copy within every limit,
  approved and trafficked.
"""

from __future__ import annotations

import importlib
import io
import random
import subprocess
import tempfile
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from mediadesk.accounts.models import User
from mediadesk.creative import services
from mediadesk.creative.choices import Decision, ReviewerKind
from mediadesk.creative.models import Asset, AssetVersion, ReviewRound
from mediadesk.delivery.services import placements_for_delivery
from mediadesk.planning.models import Campaign, Placement
from mediadesk.vendors.models import Vendor

SEED = 20261129
SPOT_SIZE = "640x360"  # small is enough for the demo: the specs here check length, not size

# Brand colours of the demo clients (background, accent, text).
NORTHWIND = ((92, 52, 30), (214, 150, 72), (255, 244, 228))
WINTER_TEA = ((34, 70, 62), (180, 210, 160), (245, 250, 240))
CONTOSO = ((18, 40, 96), (0, 170, 220), (255, 255, 255))

INSTAGRAM_SPEC = "meta-instagram-feed-image"


# --- files ------------------------------------------------------------------------------------


def _font(size: int) -> Any:
    return ImageFont.load_default(size=size)


def drawn_image(
    width: int,
    height: int,
    brand: str,
    line: str,
    colours: tuple[tuple[int, int, int], ...],
    seed: int = SEED,
) -> Image.Image:
    """A picture with something in it: a gradient, soft shapes, a product and the brand's name."""
    background, accent, text = colours
    rng = random.Random(seed)  # noqa: S311 - demo pictures, not secrets
    gradient = Image.linear_gradient("L").resize((width, height)).rotate(90, expand=False)
    image = Image.composite(
        Image.new("RGB", (width, height), accent),
        Image.new("RGB", (width, height), background),
        gradient.point(lambda v: v // 3),
    )
    shapes = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(14):
        radius = rng.randint(min(width, height) // 12, min(width, height) // 4)
        x, y = rng.randint(0, width), rng.randint(0, height)
        tone = tuple(min(255, c + rng.randint(-30, 60)) for c in accent)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*tone, 70))
    shapes = shapes.filter(ImageFilter.GaussianBlur(max(2, min(width, height) // 60)))
    image.paste(shapes, (0, 0), shapes)
    draw = ImageDraw.Draw(image)
    # The product: a cup (or a phone) in the middle, with a highlight.
    cx, cy, unit = width // 2, int(height * 0.48), min(width, height) // 5
    draw.rounded_rectangle(
        (cx - unit, cy - unit, cx + unit, cy + int(unit * 1.1)),
        radius=unit // 3,
        fill=text,
        outline=accent,
        width=max(2, unit // 12),
    )
    draw.ellipse((cx - unit // 2, cy - unit // 2, cx + unit // 2, cy + unit // 2), fill=background)
    draw.arc(
        (cx + unit // 2, cy - unit // 3, cx + int(unit * 1.6), cy + unit // 2),
        start=270,
        end=90,
        fill=text,
        width=max(3, unit // 8),
    )
    big, small = _font(max(12, height // 9)), _font(max(10, height // 18))
    draw.text((width // 2, height // 10), brand, font=big, fill=text, anchor="mt")
    draw.text((width // 2, height - height // 10), line, font=small, fill=text, anchor="mb")
    return image


def _save(image: Image.Image, path: Path, **options: Any) -> Path:
    image.save(path, **options)
    return path


def _ffmpeg(*arguments: str) -> list[str]:
    return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *arguments]


def spot_command(path: Path, seconds: str, title: str, pattern: str, tone: int) -> list[str]:
    """A spot: a moving test pattern with the title on it, a tone under it."""
    text = title.replace("'", "").replace(":", " ")
    return _ffmpeg(
        "-f", "lavfi", "-i", f"{pattern}=size={SPOT_SIZE}:rate=25",
        "-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000",
        "-t", seconds,
        "-vf", f"drawtext=text='{text}':fontsize=28:fontcolor=white:box=1:"
               "boxcolor=black@0.55:boxborderw=10:x=(w-tw)/2:y=h-th-30",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(path),
    )  # fmt: skip


def radio_command(path: Path, tones: tuple[int, int]) -> list[str]:
    """A 30-second radio spot: two tones a fifth apart, faded in and out, as WAV or MP3 (by the
    suffix). An MP3 encoder pads the sound to whole frames: 29.96 s of sound at 48 kHz fill
    exactly 1,250 frames of 1,152 samples, which players and ffprobe read as 30.000 s."""
    low, high = tones
    mp3 = path.suffix == ".mp3"
    seconds = 29.96 if mp3 else 30.0
    codec = ["-c:a", "libmp3lame", "-b:a", "128k"] if mp3 else []
    return _ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency={low}:sample_rate=48000",
        "-f", "lavfi", "-i", f"sine=frequency={high}:sample_rate=48000",
        "-filter_complex",
        f"amix=inputs=2,volume=0.6,afade=t=in:d=1,afade=t=out:st={seconds - 1.5}:d=1.5",
        "-t", str(seconds), "-ac", "1", *codec, str(path),
    )  # fmt: skip


def run_all(commands: list[list[str]]) -> None:
    """Run the ffmpeg commands side by side; any failure stops the demo with ffmpeg's words."""
    running = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for command in commands
    ]
    for process in running:
        _, errors = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"ffmpeg failed: {errors.decode(errors='replace').strip()}")


def banner_zip(path: Path, hero: Image.Image, *, heavy: bool) -> Path:
    """A 300x250 HTML5 banner: index.html with its ad.size, a style sheet, a script and the hero
    image. ``heavy`` exports the hero as a grainy PNG far above the IAB 150 kB initial load."""
    image = io.BytesIO()
    if heavy:
        rng = random.Random(SEED)  # noqa: S311 - demo grain, not a secret
        grain = Image.frombytes("RGB", hero.size, rng.randbytes(hero.width * hero.height * 3))
        Image.blend(hero, grain, 0.3).save(image, "PNG")
        hero_name = "hero.png"
    else:
        hero.save(image, "JPEG", quality=72, optimize=True)
        hero_name = "hero.jpg"
    html = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="ad.size" content="width=300,height=250">
<title>Northwind Coffee - Autumn Roast</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<a id="ad" href="javascript:window.open(window.clickTag)">
  <img id="hero" src="{hero_name}" width="300" height="250" alt="Northwind Coffee Autumn Roast">
  <div id="claim">Der Herbst schmeckt nach Northwind.</div>
  <div id="cta">Jetzt probieren</div>
</a>
<script src="main.js"></script>
</body>
</html>
"""
    css = """html, body { margin: 0; padding: 0; }
#ad { position: relative; display: block; width: 300px; height: 250px; overflow: hidden;
      font-family: Helvetica, Arial, sans-serif; text-decoration: none; }
#hero { position: absolute; inset: 0; }
#claim { position: absolute; left: 12px; right: 12px; bottom: 52px; color: #fff4e4;
         font-size: 17px; font-weight: bold; opacity: 0; transition: opacity .6s; }
#cta { position: absolute; left: 12px; bottom: 14px; padding: 6px 12px; border-radius: 4px;
       background: #d69648; color: #5c341e; font-size: 13px; font-weight: bold; }
.shown #claim { opacity: 1; }
"""
    js = """var clickTag = window.clickTag || "https://www.northwind.example/autumn-roast";
window.addEventListener("load", function () {
  setTimeout(function () { document.body.className = "shown"; }, 400);
});
"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", html)
        archive.writestr("style.css", css)
        archive.writestr("main.js", js)
        archive.writestr(hero_name, image.getvalue())
    return path


def print_pdf(path: Path, picture: Path) -> Path:
    """The Landlust full page with WeasyPrint: trimmed 8.125 x 10.875 in, with 0.125 in of
    bleed all round (the PDF's TrimBox and MediaBox say which is which)."""
    weasyprint = importlib.import_module("weasyprint")  # untyped; loaded only when needed
    html = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
@page {{ size: 8.125in 10.875in; bleed: 0.125in; margin: 0; }}
body {{ margin: 0; font-family: "DejaVu Serif", serif; color: #f5faf0; background: #22463e; }}
.page {{ height: 10.875in; position: relative; }}
img {{ width: 100%; height: 6.8in; object-fit: cover; display: block; }}
h1 {{ font-size: 40pt; margin: 0.4in 0.5in 0.1in; }}
p {{ font-size: 15pt; margin: 0 0.5in; line-height: 1.35; }}
.logo {{ position: absolute; right: 0.5in; bottom: 0.45in; font: bold 18pt sans-serif;
         letter-spacing: 2pt; }}
</style></head><body><div class="page">
<img src="{picture.name}" alt="">
<h1>Winter Tea Moments</h1>
<p>Ein Becher Wärme für lange Abende: unsere Wintermischungen mit Zimt, Orange und Rooibos.
Jetzt im Handel.</p>
<div class="logo">NORTHWIND TEA</div>
</div></body></html>
"""
    weasyprint.HTML(string=html, base_url=str(picture.parent)).write_pdf(path)
    return path


# --- the demo ---------------------------------------------------------------------------------


class _Demo:
    """The people, campaigns and files of one demo load, and the steps they take."""

    def __init__(self, folder: Path, today: date) -> None:
        self.folder = folder
        self.today = today
        people = {user.email: user for user in User.objects.filter(email__endswith="@demo.test")}
        self.ben = people["ben@demo.test"]
        self.alice = people["alice@demo.test"]
        self.dan = people["dan@demo.test"]
        self.campaigns = {
            campaign.code: campaign
            for campaign in Campaign.objects.filter(
                code__in=["NWND-AR26", "NWND-WT26", "CTSO-HOL26", "CTSO-5G26"]
            ).select_related("client")
        }

    def placement(self, code: str, channel: str) -> Placement | None:
        campaign = self.campaigns.get(code)
        if campaign is None:
            return None
        return next((p for p in placements_for_delivery(campaign) if p.channel == channel), None)

    def upload(
        self,
        code: str,
        path: Path,
        name: str,
        placement: Placement | None,
        tags: list[str],
        note: str = "",
    ) -> Asset:
        campaign = self.campaigns[code]
        with path.open("rb") as handle:
            made = services.upload_asset(
                self.ben,
                client=campaign.client,
                source=handle,
                filename=path.name,
                name=name,
                campaign=campaign,
                line_keys=[placement.line_key] if placement else [],
                tags=tags,
                note=note,
            )
        return made.asset

    def approve_all(self, asset: Asset, client_note: str = "") -> ReviewRound:
        """Every stage approves: Ben as creative lead, Alice for legal, then the client: Dan
        where the client has a reviewer, else the client's contact through a review link."""
        asset.refresh_from_db()
        round_ = services.start_review(self.ben, asset)
        for stage in round_.stages.order_by("position"):
            stage.refresh_from_db()
            if stage.who == ReviewerKind.CLIENT:
                self.client_decides(stage, Decision.APPROVE, client_note)
            else:
                decider = self.ben if stage.position == 1 else self.alice
                services.decide(decider, stage, Decision.APPROVE)
        round_.refresh_from_db()
        return round_

    def client_decides(self, stage: Any, decision: str, note: str) -> None:
        if services.may_decide(self.dan, stage):
            services.decide(self.dan, stage, decision, note)
            return
        name, email = "Morgan Reyes (Contoso Mobile)", "morgan.reyes@contoso.example"
        services.send_review_link(self.ben, stage, name=name, email=email)
        linked, who = services.stage_for_link(services.review_link(stage, name))
        services.decide(None, linked, decision, note, outsider=who)

    def traffic(
        self,
        version: AssetVersion,
        placement: Placement | None,
        click_url: str = "",
        until: date | None = None,
    ) -> None:
        """The version runs on the placement from today (or its start) to its end, or ``until``
        when the rights run out first."""
        if placement is None:
            return
        starts = max(placement.start, min(self.today, placement.end))
        ends = min(placement.end, until) if until else placement.end
        if ends < starts:
            return
        services.assign(
            self.ben,
            version,
            placement,
            starts=starts,
            ends=ends,
            click_url=click_url,
            today=self.today,
        )


def load_demo_creative(today: date) -> None:
    """Assets, reviews, rights and trafficking for the demo campaigns, once."""
    if Asset.objects.exists():
        return
    with tempfile.TemporaryDirectory(prefix="mediadesk-demo-creative-") as name:
        demo = _Demo(Path(name), today)
        if not {"NWND-AR26", "CTSO-HOL26"} <= demo.campaigns.keys():
            return
        files = _make_files(demo.folder)
        _autumn_roast(demo, files)
        if "NWND-WT26" in demo.campaigns:
            _winter_tea(demo, files)
        _holiday_bundles(demo, files)
        if "CTSO-5G26" in demo.campaigns:
            _five_g_search(demo)


def _make_files(folder: Path) -> dict[str, Path]:
    """Every demo file, the ffmpeg ones made side by side."""
    files = {
        "tv": folder / "northwind-autumn-roast-tv-30s.mp4",
        "cut": folder / "northwind-autumn-roast-tv-directors-cut.mp4",
        "radio": folder / "northwind-autumn-roast-radio-30s.mp3",
        "holiday": folder / "contoso-holiday-bundles-30s.mp4",
        "iheart": folder / "contoso-holiday-bundles-radio-30s.wav",
    }
    run_all(
        [
            spot_command(files["tv"], "30", "Northwind Coffee - Autumn Roast", "testsrc2", 440),
            spot_command(
                files["cut"], "31.2", "Northwind Coffee - Autumn Roast (cut B)", "testsrc2", 392
            ),
            spot_command(files["holiday"], "30", "Contoso - Holiday Bundles", "smptehdbars", 523),
            radio_command(files["radio"], (330, 495)),
            radio_command(files["iheart"], (262, 393)),
        ]
    )
    files["instagram"] = _save(
        drawn_image(1080, 1080, "Northwind Coffee", "Autumn Roast - jetzt neu", NORTHWIND),
        folder / "northwind-autumn-roast-instagram-1080.jpg",
        quality=85,
    )
    files["key visual"] = _save(
        drawn_image(1200, 628, "Northwind Coffee", "Autumn Roast key visual", NORTHWIND, SEED + 1),
        folder / "northwind-autumn-roast-key-visual.png",
        optimize=True,
    )
    hero = drawn_image(300, 250, "Northwind", "Autumn Roast", NORTHWIND, SEED + 2)
    files["banner v1"] = banner_zip(folder / "northwind-autumn-roast-300x250.zip", hero, heavy=True)
    files["banner v2"] = banner_zip(
        folder / "northwind-autumn-roast-300x250-v2.zip", hero, heavy=False
    )
    picture = _save(
        drawn_image(1200, 1000, "Northwind Tea", "Winter Tea Moments", WINTER_TEA, SEED + 3),
        folder / "winter-tea-visual.jpg",
        quality=85,
    )
    files["print"] = print_pdf(folder / "northwind-winter-tea-landlust-full-page.pdf", picture)
    return files


def _autumn_roast(demo: _Demo, files: dict[str, Path]) -> None:
    code = "NWND-AR26"
    today = demo.today
    tv = demo.placement(code, "linear_tv")

    # The TV spot: a time-code comment answered and resolved, approved by every stage, on air.
    spot = demo.upload(code, files["tv"], "Autumn Roast - TV spot 30s", tv, ["TV", "Autumn Roast"])
    services.add_right(
        demo.ben, spot, kind="talent", holder="Lena Hofmann (voice-over)",
        territories=["DE", "AT"], starts=today - timedelta(days=60),
        expires=today + timedelta(days=365), notes="Buy-out for TV and online, 12 months.",
    )  # fmt: skip
    services.add_right(
        demo.ben, spot, kind="music", holder="Nordlicht Music Library (\u201cAmber Morning\u201d)",
        territories=["DE", "AT", "CH"], expires=today + timedelta(days=540),
    )  # fmt: skip
    round_ = services.start_review(demo.ben, spot)
    stages = list(round_.stages.order_by("position"))
    services.decide(demo.ben, stages[0], Decision.APPROVE)
    legal = services.add_comment(
        demo.alice, round_,
        "The legal line at the end must stay on screen for at least 2 seconds.",
        time_seconds=Decimal("26.5"),
    )  # fmt: skip
    services.add_comment(
        demo.ben, round_, "It holds from 0:26.5 to the end: 3.5 seconds.", parent=legal
    )
    services.resolve_comment(demo.alice, legal)
    services.decide(demo.alice, stages[1], Decision.APPROVE, "Claims and legal line checked.")
    stages[2].refresh_from_db()
    demo.client_decides(stages[2], Decision.APPROVE, "Lovely. Approved for air.")
    demo.traffic(_current(spot), tv)

    # The director's cut: 31.2 s does not fit the 30-second spot (a blocking finding).
    demo.upload(
        code, files["cut"], "Autumn Roast - TV spot (director's cut)", tv, ["TV"],
        note="The agency's longer cut; trim the end card to 30 s before it can air.",
    )  # fmt: skip

    # The 300x250 banner: version 1 is too heavy, changes are requested, version 2 is approved
    # and trafficked with a click URL (the client's UTM template is applied).
    display = demo.placement(code, "display")
    banner = demo.upload(
        code, files["banner v1"], "Autumn Roast - MPU 300x250 HTML5", display,
        ["display", "Autumn Roast"],
    )  # fmt: skip
    first = services.start_review(demo.ben, banner)
    services.decide(
        demo.ben, first.stages.get(position=1), Decision.REQUEST_CHANGES,
        "The initial load is above the IAB 150 kB for a 300x250: export the hero as a JPEG.",
    )  # fmt: skip
    with files["banner v2"].open("rb") as handle:
        services.upload_version(
            demo.ben, banner, source=handle, filename=files["banner v2"].name,
            note="Hero exported as JPEG; initial load now well under 150 kB.",
        )  # fmt: skip
    demo.approve_all(banner, "Approved.")
    demo.traffic(_current(banner), display, "https://www.northwind.example/autumn-roast?ref=mpu")

    # The Instagram image, against Meta's own feed-image spec: in review at the legal stage.
    _instagram(demo, files["instagram"])

    # The radio spot, and a key visual whose stock photo licence ran out.
    radio = demo.placement(code, "radio")
    audio = demo.upload(code, files["radio"], "Autumn Roast - radio 30s", radio, ["radio"])
    services.add_right(
        demo.ben, audio, kind="talent", holder="Jonas Weber (voice)", territories=["DE"],
        expires=today + timedelta(days=200),
    )  # fmt: skip
    visual = demo.upload(
        code, files["key visual"], "Autumn Roast - key visual", None, ["key visual", "stock"]
    )
    services.add_right(
        demo.ben, visual, kind="stock", holder="Bildwerk Stock (photo 48213)",
        territories=["DE", "AT"], starts=today - timedelta(days=385),
        expires=today - timedelta(days=20), notes="One-year licence; renew or replace the photo.",
    )  # fmt: skip


def _instagram(demo: _Demo, path: Path) -> None:
    code = "NWND-AR26"
    feed = demo.placement(code, "social")
    meta = Vendor.objects.filter(organization=demo.alice.organization, name="Meta").first()
    if meta is not None and feed is not None:
        services.save_vendor_spec(
            demo.alice, meta, key=INSTAGRAM_SPEC, name="Instagram feed image",
            definition={"kinds": ["image"], "sizes": ["1080x1080", "1080x1350"],
                        "max_bytes": 30_000_000,
                        "source": "Meta Ads Guide: feed image 1:1 or 4:5, up to 30 MB"},
        )  # fmt: skip
        services.set_placement_spec(demo.ben, demo.campaigns[code], feed.line_key, INSTAGRAM_SPEC)
    image = demo.upload(
        code, path, "Autumn Roast - Instagram 1:1", feed, ["social", "Autumn Roast"]
    )
    services.add_right(
        demo.ben, image, kind="talent", holder="Mara Klein (hand model)",
        territories=["AT", "DE"], expires=demo.today + timedelta(days=180),
    )  # fmt: skip
    round_ = services.start_review(demo.ben, image)
    cup = services.add_comment(
        demo.ben, round_, "The coffee reads too light; it could pass for tea. Make it darker.",
        x=Decimal("0.5"), y=Decimal("0.48"),
    )  # fmt: skip
    services.resolve_comment(demo.ben, cup)
    services.decide(demo.ben, round_.stages.get(position=1), Decision.APPROVE)
    wordmark = services.add_comment(
        demo.alice, round_, "Use the Northwind wordmark here, not the name set in plain type.",
        x=Decimal("0.5"), y=Decimal("0.14"),
    )  # fmt: skip
    services.add_comment(
        demo.ben,
        round_,
        "The studio has the wordmark; a new version comes on Wednesday.",
        parent=wordmark,
    )
    services.add_comment(
        demo.alice, round_,
        "\u201cJetzt neu\u201d may only be claimed in the first weeks after launch. "
        "@ben@demo.test can you ask the client until when, or drop it?",
        x=Decimal("0.1"), y=Decimal("0.82"), width=Decimal("0.8"), height=Decimal("0.12"),
    )  # fmt: skip


def _winter_tea(demo: _Demo, files: dict[str, Path]) -> None:
    code = "NWND-WT26"
    magazine = demo.placement(code, "magazine")
    page = demo.upload(code, files["print"], "Winter Tea - Landlust full page", magazine, ["print"])
    services.add_right(
        demo.ben, page, kind="stock", holder="Alpenlicht Images (photo 7731)",
        territories=["CH", "DE"], expires=demo.today + timedelta(days=400),
    )  # fmt: skip
    search = demo.placement(code, "search")
    _copy(
        demo, code, "Winter Tea - search ads", search,
        {
            "headlines": ["Northwind Winter Tea", "Organic Winter Blends",
                          "Winter Tea Moments for Cold Evenings", "Free Delivery from EUR 30"],
            "descriptions": ["Cinnamon, orange and rooibos: our winter blends warm every evening.",
                             "Organic teas from Northwind. Order online, delivered in 2 days."],
            "paths": ["winter-tea", "blends"],
            "final url": "https://www.northwind.example/winter-tea",
        },
    )  # fmt: skip


def _copy(
    demo: _Demo, code: str, name: str, placement: Placement | None, copy: dict[str, Any]
) -> Asset:
    campaign = demo.campaigns[code]
    return services.upload_copy(
        demo.ben,
        client=campaign.client,
        copy=copy,
        name=name,
        campaign=campaign,
        line_keys=[placement.line_key] if placement else [],
        tags=["search"],
    ).asset


def _holiday_bundles(demo: _Demo, files: dict[str, Path]) -> None:
    code = "CTSO-HOL26"
    today = demo.today
    hulu = demo.placement(code, "online_video")
    spot = demo.upload(
        code, files["holiday"], "Holiday Bundles - spot 30s", hulu, ["video", "holiday"]
    )
    music_ends = today + timedelta(days=30)
    services.add_right(
        demo.ben, spot, kind="music", holder="Brightside Audio (\u201cJingle Lights\u201d)",
        territories=["US"], starts=today - timedelta(days=30), expires=music_ends,
        notes="Holiday licence; an extension into January is being negotiated.",
    )  # fmt: skip
    services.add_right(
        demo.ben, spot, kind="talent", holder="Jordan Avery (actor)", territories=["US", "CA"],
        expires=today + timedelta(days=300),
    )  # fmt: skip
    demo.approve_all(spot, "Approved for Hulu.")
    demo.traffic(
        _current(spot), hulu, "https://www.contoso.example/holiday-bundles?promo=hol26",
        until=music_ends,
    )  # fmt: skip
    radio = demo.placement(code, "radio")
    demo.upload(code, files["iheart"], "Holiday Bundles - iHeart radio 30s", radio, ["radio"])


def _five_g_search(demo: _Demo) -> None:
    code = "CTSO-5G26"
    search = demo.placement(code, "search")
    copy = _copy(
        demo, code, "5G Everywhere - search ads", search,
        {
            "headlines": ["Contoso 5G Everywhere", "5G Plans from $35/Month",
                          "Switch in 10 Minutes", "Keep Your Number",
                          "Nationwide 5G Coverage"],
            "descriptions": ["Fast 5G on every plan, no hidden fees. Switch online today.",
                             "Bring your phone and your number. Unlimited data from $35.",
                             "Check coverage at your address in seconds."],
            "paths": ["5g", "plans"],
            "final url": "https://www.contoso.example/5g",
        },
    )  # fmt: skip
    _approve_and_traffic(demo, copy, search, "https://www.contoso.example/5g?src=search")


def _approve_and_traffic(
    demo: _Demo, asset: Asset, placement: Placement | None, click_url: str
) -> None:
    demo.approve_all(asset, "Approved.")
    demo.traffic(_current(asset), placement, click_url)


def _current(asset: Asset) -> AssetVersion:
    """The asset's current version as the database has it now (reviews moved it on)."""
    asset.refresh_from_db()
    if asset.current_version is None:
        raise RuntimeError(f"The demo asset {asset.name} has no version.")
    return asset.current_version
