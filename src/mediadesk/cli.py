"""The ``mediadesk`` command (also ``python -m mediadesk``).

    mediadesk serve        serve the app (PORT, default 8000, on 127.0.0.1)
    mediadesk migrate      bring the database schema up to date
    mediadesk demo         migrate, load the demo agency once, serve it with a task worker
    mediadesk createuser   add a person (organization admin with --admin)
    mediadesk client-add NAME CODE --by ADMIN_EMAIL    add a client (organization admins)
    mediadesk grant EMAIL CLIENT_CODE ROLE --by ADMIN_EMAIL    give or change a role
    mediadesk plan export CLIENT CAMPAIGN FILE --by EMAIL    download a plan version
    mediadesk plan import CLIENT CAMPAIGN FILE --by EMAIL    import a plan file as a new draft
    mediadesk delivery import FILE --campaign ID --by EMAIL    import a platform export
    mediadesk delivery rollback IMPORT --by EMAIL    roll a delivery import back
    mediadesk assets upload FILE… --campaign ID --by EMAIL    add creative files to the library
    mediadesk reviews remind    e-mail the deciders of review stages that are due
    mediadesk compliance check FILE --rules RULESET [--by EMAIL]    lint copy variants
    mediadesk compliance export RULESET -o FILE --by EMAIL    write a rule set's file
    mediadesk compliance import FILE --by EMAIL    a rule file as a rule set (or revision)
    mediadesk worker       run background tasks from the database queue, and the schedule
    mediadesk backup PATH  write a consistent copy of the database to PATH
    mediadesk restore PATH replace the database with a backup
    mediadesk inspect FILE [--json]    what an export is (no database needed)
    mediadesk manage ...   any Django management command

Domain commands are added by later work as Django management commands and listed here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediadesk.accounts.models import User
    from mediadesk.planning.models import Campaign


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")
    import django
    from django.apps import apps

    # Called in-process (tests, another command) Django is already set up; setting it up again
    # would only reconfigure logging under the caller's feet.
    if not apps.ready:
        django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _port(value: str | None) -> int:
    raw = value or os.environ.get("PORT") or "8000"
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(f"PORT must be a number, not {raw!r}.") from None
    if not 0 < port < 65536:
        raise SystemExit(f"PORT must be between 1 and 65535, not {port}.")
    return port


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    port = _port(args.port)
    if settings.PRODUCTION:
        # A real WSGI server; static files come from WhiteNoise.
        return subprocess.call(
            [
                sys.executable, "-m", "gunicorn", "mediadesk.wsgi:application",
                "--bind", f"{args.host}:{port}", "--workers", str(args.workers),
                "--access-logfile", "-",
            ]
        )  # fmt: skip
    _manage("runserver", f"{args.host}:{port}", "--noreload", "--skip-checks")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _manage("migrate", "--no-input", *(["-v", "0"] if args.quiet else []))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from mediadesk.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

    if not settings.DEMO_MODE:
        raise SystemExit(
            "The demo agency is only loaded in demo mode (MEDIADESK_ENV=demo); "
            "production databases never get demo logins."
        )
    _manage("migrate", "--no-input", "-v", "0")
    port = _port(args.port)
    if not os.environ.get("MEDIADESK_SITE_URL"):
        # E-mails of the demo (printed by the worker) link to where it is served.
        settings.SITE_URL = f"http://127.0.0.1:{port}"
        os.environ["MEDIADESK_SITE_URL"] = settings.SITE_URL  # for the worker process
    created = load_demo()
    if created:
        _demo_delivery()
        _demo_finance(port)
        _demo_creative()
        _demo_compliance()
        _demo_work()
    print()
    print("  mediadesk demo " + ("loaded" if created else "already loaded; your data is kept"))
    print(f"  Database: {settings.DATABASES['default']['NAME']}")
    print(f"  Open http://127.0.0.1:{port}/ and log in as (password: {DEMO_PASSWORD}):")
    for email, label in DEMO_USERS:
        print(f"    {email:<18} {label}")
    print(f"  API: http://127.0.0.1:{port}/api/v1/docs")
    print()
    if args.no_serve:
        return 0
    worker = subprocess.Popen([sys.executable, "-m", "mediadesk", "worker"])
    try:
        _manage("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    import getpass

    from mediadesk.accounts.services import create_person

    password = args.password or os.environ.get("MEDIADESK_PASSWORD")
    if not password:
        password = getpass.getpass(f"Password for {args.email}: ")
    user = create_person(
        email=args.email,
        password=password,
        full_name=args.name or "",
        organization_name=args.organization,
        org_admin=args.admin,
    )
    print(f"Created {user.email}{' (organization admin)' if user.is_org_admin else ''}.")
    return 0


def _person(email: str, who: str) -> User:
    from mediadesk.accounts.models import User

    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None or not user.is_active:
        raise SystemExit(
            f"No active person has the e-mail {email} ({who}); add them with "
            "`mediadesk createuser`."
        )
    return user


def _refused(exc: Exception) -> SystemExit:
    """A service's refusal as the command's error: each field's messages on their own line."""
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            lines = [
                f"  {field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            lines = [f"  {message}" for message in exc.messages]
        return SystemExit("Nothing changed:\n" + "\n".join(lines))
    return SystemExit(f"Nothing changed: {exc}")


def cmd_client_add(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.accounts.services import create_client

    actor = _person(args.by, "--by")
    try:
        client = create_client(
            actor, {"name": args.name, "code": args.code, "default_currency": args.currency}
        )
    except (ValidationError, PermissionDenied) as exc:
        raise _refused(exc) from None
    print(f"Added client {client.name} ({client.code}, {client.default_currency}), id {client.pk}.")
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.accounts.choices import Role
    from mediadesk.accounts.models import Client
    from mediadesk.accounts.services import grant_role
    from mediadesk.errors import Conflict

    actor = _person(args.by, "--by")
    code = args.client_code.strip()
    client = Client.objects.visible_to(actor).filter(code__iexact=code).first()
    if client is None:
        raise SystemExit(f"{actor.email} works on no client with the code {code}.")
    try:
        role = Role(args.role.strip().lower())
    except ValueError:
        raise SystemExit(
            f"Unknown role {args.role!r}; use one of: {', '.join(Role.values)}."
        ) from None
    person = _person(args.email, "the person to give the role")
    try:
        membership = grant_role(actor, user=person, client=client, role=role)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        raise _refused(exc) from None
    print(f"{person.email} is {membership.get_role_display()} on {client.name} ({client.code}).")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    # Every worker also runs the scheduler (work/jobs.py) in a thread: it enqueues the periodic
    # jobs, each once per period however many workers tick. --batch runs what is queued only.
    if not args.batch and not args.no_scheduler:
        from mediadesk.work.jobs import start_scheduler

        start_scheduler()
    _manage("db_worker", "--queue-name", args.queue, *(["--batch"] if args.batch else []))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from mediadesk.backup import BackupError, backup_database

    try:
        path = backup_database(args.path)
    except BackupError as exc:
        raise SystemExit(str(exc)) from None
    print(f"Backup written to {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from mediadesk.backup import BackupError, restore_database

    if not args.yes:
        answer = input(f"Replace every row of this database with {args.path}? Type yes: ")
        if answer.strip().lower() != "yes":
            print("Nothing restored.")
            return 1
    try:
        restore_database(args.path)
    except BackupError as exc:
        raise SystemExit(str(exc)) from None
    print(f"Restored from {args.path}")
    return 0


def _campaign(actor: User, client_code: str, campaign_code: str) -> Campaign:
    from mediadesk.planning.models import Campaign

    campaign = (
        Campaign.objects.visible_to(actor)
        .filter(client__code__iexact=client_code.strip(), code__iexact=campaign_code.strip())
        .first()
    )
    if campaign is None:
        raise SystemExit(
            f"{actor.email} sees no campaign {campaign_code} of a client {client_code}."
        )
    return campaign


def cmd_plan_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from django.core.exceptions import PermissionDenied

    from mediadesk.accounts.permissions import Action, require
    from mediadesk.planning.files import plan_file
    from mediadesk.planning.models import PlanVersion

    actor = _person(args.by, "--by")
    campaign = _campaign(actor, args.client_code, args.campaign_code)
    versions = PlanVersion.objects.visible_to(actor).filter(campaign=campaign)
    version = versions.filter(number=args.version).first() if args.version else versions.first()
    if version is None:
        raise SystemExit(f"{campaign.code} has no plan version {args.version or ''} to export.")
    target = Path(args.file)
    fmt = args.format or target.suffix.lstrip(".").lower()
    if fmt not in {"xlsx", "csv", "json", "pdf"}:
        raise SystemExit("Give --format xlsx, csv, json or pdf (or a file name ending in one).")
    try:
        require(actor, Action.EXPORT, campaign.client_id)
    except PermissionDenied as exc:
        raise _refused(exc) from None
    target.write_bytes(plan_file(version, list(version.placements.all()), fmt))
    print(f"Wrote {campaign.code} plan v{version.number} ({version.get_status_display()}) "
          f"to {target}.")  # fmt: skip
    return 0


def _json_mapping(text: str | None) -> dict[str, str] | None:
    """--mapping as given: a JSON object {"field": "column header"}, or a sentence why not."""
    import json

    if not text:
        return None
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(f'--mapping is not JSON ({exc.msg} at character {exc.pos}); give '
                         '{"field": "column header", …}.') from None  # fmt: skip
    if not isinstance(mapping, dict):
        raise SystemExit('--mapping must be a JSON object: {"field": "column header", …}.')
    return {str(field): str(header) for field, header in mapping.items()}


def cmd_plan_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.planning.services import ImportRefused, import_plan

    actor = _person(args.by, "--by")
    campaign = _campaign(actor, args.client_code, args.campaign_code)
    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"There is no file {source}.")
    mapping = _json_mapping(args.mapping)
    try:
        upload = import_plan(
            actor, campaign, filename=source.name, data=source.read_bytes(), mapping=mapping
        )
    except ImportRefused as exc:
        lines = [f"{source.name} was not imported; nothing changed:"]
        lines += [f"  {problem}" for problem in exc.problems[:50]]
        if len(exc.problems) > 50:
            lines.append(f"  … and {len(exc.problems) - 50} more")
        raise SystemExit("\n".join(lines)) from None
    except (ValidationError, PermissionDenied) as exc:
        raise _refused(exc) from None
    version = upload.version
    assert version is not None
    print(f"{upload.get_outcome_display()}: {campaign.code} plan v{version.number}, "
          f"{upload.rows} lines.")  # fmt: skip
    return 0


def _demo_delivery() -> None:
    """Delivery for the live demo campaigns, imported as a coordinator would, up to yesterday."""
    from django.utils import timezone

    from mediadesk.accounts.models import User
    from mediadesk.audit.services import channel
    from mediadesk.delivery.demo import load_demo_delivery

    with channel("cli"):
        load_demo_delivery(User.objects.get(email="ben@demo.test"), timezone.localdate())


def _demo_finance(port: int) -> None:
    """IOs, invoices and payment batches for the demo; the vendor e-mails stay in memory."""
    from django.test.utils import override_settings
    from django.utils import timezone

    from mediadesk.accounts.models import User
    from mediadesk.audit.services import channel
    from mediadesk.finance.demo import load_demo_finance

    people = {user.email: user for user in User.objects.filter(email__endswith="@demo.test")}
    with (
        channel("cli"),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        load_demo_finance(
            people["ben@demo.test"], people["cara@demo.test"], people["alice@demo.test"],
            timezone.localdate(), link_base=f"http://127.0.0.1:{port}/orders/answer",
        )  # fmt: skip


def _demo_creative() -> None:
    """Assets of every kind, reviews, rights and trafficking; e-mails stay in memory."""
    from django.test.utils import override_settings
    from django.utils import timezone

    from mediadesk.audit.services import channel
    from mediadesk.creative.demo import load_demo_creative

    with (
        channel("cli"),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        load_demo_creative(timezone.localdate())


def _demo_compliance() -> None:
    """Rule sets from the starter packs and per client, copy with findings, one override."""
    from django.test.utils import override_settings
    from django.utils import timezone

    from mediadesk.audit.services import channel
    from mediadesk.compliance.demo import load_demo_compliance

    with (
        channel("cli"),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        load_demo_compliance(timezone.localdate())


def _demo_work() -> None:
    """Owners, a team, tasks, last week's meeting, a status report, and today's attention list."""
    from django.test.utils import override_settings
    from django.utils import timezone

    from mediadesk.audit.services import channel
    from mediadesk.work.demo import load_demo_work

    with (
        channel("cli"),
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        load_demo_work(timezone.localdate())


def _delivery_campaign(actor: User, given: str) -> Campaign:
    """--campaign as an id, or as a campaign code when only one visible campaign has it."""
    from mediadesk.planning.models import Campaign

    visible = Campaign.objects.visible_to(actor)
    text = given.strip()
    found = list(visible.filter(pk=int(text))) if text.isdigit() else []
    found = found or list(visible.filter(code__iexact=text)[:2])
    if len(found) != 1:
        what = "several campaigns" if found else "no campaign"
        raise SystemExit(f"{actor.email} sees {what} with the id or code {text}.")
    return found[0]


def cmd_delivery_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.delivery.services import (
        DeliveryFileError,
        import_delivery,
        save_delivery_mapping,
    )

    actor = _person(args.by, "--by")
    campaign = _delivery_campaign(actor, args.campaign)
    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"There is no file {source}.")
    mapping = _json_mapping(args.mapping)
    try:
        result = import_delivery(
            actor, campaign, filename=source.name, data=source.read_bytes(), mapping=mapping
        )
        if mapping and args.save_mapping:
            save_delivery_mapping(actor, campaign.client, args.save_mapping, mapping)
    except DeliveryFileError as exc:
        raise SystemExit(f"Not imported, nothing changed: {exc}") from None
    except (ValidationError, PermissionDenied) as exc:
        raise _refused(exc) from None
    upload = result.record
    if result.duplicate:
        print(f"{source.name} was already imported into {campaign.code} (import "
              f"{upload.pk}, {upload.imported_at:%Y-%m-%d %H:%M}); nothing changed.")  # fmt: skip
        return 0
    print(f"Imported {upload.rows:,} rows of {upload.platform} ({upload.report}) into "
          f"{campaign.code} as import {upload.pk}: {upload.mapped_rows:,} matched to "
          f"placements, {upload.unmapped_rows:,} waiting to be assigned.")  # fmt: skip
    for item in upload.replaced:
        print(f"  replaced {item['facts']:,} rows of {item['filename']} (import {item['import']})")
    for warning in upload.warnings:
        print(f"  warning: {warning}")
    return 0


def cmd_delivery_rollback(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied

    from mediadesk.delivery.models import DeliveryImport
    from mediadesk.delivery.services import rollback_import

    actor = _person(args.by, "--by")
    upload = DeliveryImport.objects.visible_to(actor).filter(pk=args.import_id).first()
    if upload is None:
        raise SystemExit(f"{actor.email} sees no delivery import {args.import_id}.")
    name = upload.filename
    try:
        rollback_import(actor, upload, args.reason)
    except PermissionDenied as exc:
        raise _refused(exc) from None
    print(f"Rolled back import {args.import_id} ({name}).")
    return 0


def cmd_invoices_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.errors import Conflict
    from mediadesk.finance.services import import_invoices
    from mediadesk.ingest.invoices import InvoiceFileError

    actor = _person(args.by, "--by")
    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"There is no file {source}.")
    try:
        made = import_invoices(actor, source.read_bytes(), source.name)
    except InvoiceFileError as exc:
        raise SystemExit(f"Not imported, nothing saved: {exc}") from None
    except Conflict as exc:
        raise SystemExit(f"Not imported, nothing saved: {exc}") from None
    except (ValidationError, PermissionDenied) as exc:
        raise _refused(exc) from None
    if made.duplicate:
        print(f"{source.name} was already imported (import {made.record.pk}, "
              f"{made.record.uploaded_at:%Y-%m-%d %H:%M}); nothing changed.")  # fmt: skip
        return 0
    for invoice in made:
        status = invoice.get_status_display().lower()
        print(f"{invoice.vendor.name} {invoice.number}: {invoice.total} {invoice.currency}, "
              f"{invoice.lines.count()} lines, {status} (id {invoice.pk})")  # fmt: skip
        for line in invoice.lines.all():
            for found in line.discrepancies:
                print(f"  {line.placement_code} {line.month:%Y-%m}: {found['message']}")
        for found in invoice.discrepancies:
            print(f"  {found['message']}")
    print(f"Imported {len(made)} invoice{'s' if len(made) != 1 else ''} from {source.name}.")
    return 0


def cmd_payments_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.accounts.models import Client
    from mediadesk.errors import Conflict
    from mediadesk.finance.models import PaymentBatch
    from mediadesk.finance.payments import batch_csv, batch_totals
    from mediadesk.finance.services import create_batch

    actor = _person(args.by, "--by")
    if args.batch:
        found = PaymentBatch.objects.visible_to(actor).filter(number__iexact=args.batch).first()
        if found is None:
            raise SystemExit(f"{actor.email} sees no payment batch {args.batch}.")
        batch = found
    else:
        if not args.client:
            raise SystemExit(
                "Give --client CODE to batch its approved invoices, or --batch NUMBER."
            )
        client = Client.objects.visible_to(actor).filter(code__iexact=args.client).first()
        if client is None:
            raise SystemExit(f"{actor.email} sees no client {args.client}.")
        try:
            batch = create_batch(actor, client, currency=args.currency, layout=args.layout)
        except Conflict as exc:
            raise SystemExit(str(exc)) from None
        except (ValidationError, PermissionDenied) as exc:
            raise _refused(exc) from None
    data = batch_csv(batch, args.layout)
    target = Path(args.output or f"{batch.number}-{args.layout}.csv")
    target.write_bytes(data)
    totals = batch_totals(batch)
    print(f"{batch.number}: {batch.invoices.count()} invoices, to pay {totals.to_pay} "
          f"{batch.currency} (media gross {totals.media_gross}, commission "
          f"{totals.commission}, tax {totals.tax}) → {target}")  # fmt: skip
    return 0


def _size_text(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:,.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:,.1f} kB"
    return f"{count} bytes"


def _asset_summary(version: Any) -> str:
    """What was read from a version, in a few words: size, length, codec, page, weight."""
    facts = version.facts
    parts = []
    if facts.get("width") and facts.get("height"):
        parts.append(f"{facts['width']}x{facts['height']}")
    if facts.get("duration_seconds"):
        parts.append(f"{facts['duration_seconds']} s")
    if facts.get("codec"):
        parts.append(str(facts["codec"]))
    if facts.get("page_width_mm") and facts.get("page_height_mm"):
        parts.append(f"{facts['page_width_mm']}x{facts['page_height_mm']} mm")
    if facts.get("kind") == "html5" and facts.get("initial_load_bytes"):
        parts.append(f"initial load {_size_text(int(facts['initial_load_bytes']))}")
    parts.append(_size_text(version.bytes))
    return ", ".join(parts)


def _line_keys(actor: User, campaign: Campaign, given: list[str]) -> list[str]:
    """--placement values (line keys, placement ids or codes) as the campaign's line keys."""
    from mediadesk.planning.models import Placement

    placements = Placement.objects.visible_to(actor).filter(version__campaign=campaign)
    found = list(placements.values_list("pk", "code", "line_key"))
    keys = []
    for value in (text.strip() for text in given if text.strip()):
        match = [
            key
            for pk, code, key in found
            if value in (key, str(pk)) or value.lower() == code.lower()
        ]
        if not match:
            raise SystemExit(f"{campaign.code} has no placement {value} (line key, id or code).")
        keys.append(match[0])
    return list(dict.fromkeys(keys))


def cmd_assets_upload(args: argparse.Namespace) -> int:
    """Each file streamed into the library; a refused file is named on stderr, exit code 1."""
    from pathlib import Path

    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.creative.models import Asset
    from mediadesk.creative.services import (
        AssetRefused,
        DuplicateAsset,
        upload_asset,
        upload_version,
    )
    from mediadesk.errors import Conflict

    actor = _person(args.by, "--by")
    if args.name and len(args.files) > 1:
        raise SystemExit("--name names one file; give one FILE, or leave --name out.")
    asset = None
    if args.asset is not None:
        asset = Asset.objects.visible_to(actor).filter(pk=args.asset).first()
        if asset is None:
            raise SystemExit(f"{actor.email} sees no asset {args.asset}.")
    if asset is None and not args.campaign:
        raise SystemExit("Give --campaign ID_OR_CODE (or --asset ID for a new version).")
    campaign = _delivery_campaign(actor, args.campaign) if args.campaign else None
    if asset is not None and campaign is not None and asset.campaign_id != campaign.pk:
        raise SystemExit(f"Asset {asset.pk} is not on {campaign.code}; leave --campaign out.")
    if asset is not None and (args.placement or args.spec or args.tag or args.name):
        raise SystemExit(
            "A new version takes only the file (and --note); change the asset's placements, "
            "specs, tags or name on its page or with PATCH /api/v1/assets/{id}."
        )
    line_keys = _line_keys(actor, campaign, args.placement) if campaign else []
    sources = [Path(file) for file in args.files]
    missing = [str(source) for source in sources if not source.is_file()]
    if missing:
        raise SystemExit(f"There is no file {', '.join(missing)}; nothing uploaded.")
    refused = 0
    for source in sources:
        try:
            with source.open("rb") as handle:
                if asset is not None:
                    made = upload_version(
                        actor, asset, source=handle, filename=source.name, note=args.note
                    )
                else:
                    assert campaign is not None
                    made = upload_asset(
                        actor,
                        client=campaign.client,
                        source=handle,
                        filename=source.name,
                        name=args.name or "",
                        campaign=campaign,
                        line_keys=line_keys,
                        spec_keys=args.spec,
                        tags=args.tag,
                        note=args.note,
                    )
        except (AssetRefused, DuplicateAsset, Conflict) as exc:
            refused += 1
            print(f"refused {source.name}: {exc}", file=sys.stderr)
            continue
        except (ValidationError, PermissionDenied) as exc:
            raise _refused(exc) from None
        version = made.version
        findings = "; ".join(f["message"] for f in version.findings) or "none"
        print(f"uploaded {source.name} as asset {made.asset.pk} version {version.number} "
              f"({made.asset.kind}, {_asset_summary(version)}); findings: {findings}")  # fmt: skip
        if asset is not None:
            asset = made.asset
    if refused:
        print(f"{refused} of {len(sources)} files refused.", file=sys.stderr)
        return 1
    return 0


def cmd_reviews_remind(args: argparse.Namespace) -> int:
    from mediadesk.creative.services import send_reminders

    sent = send_reminders()
    print(f"Sent {sent} review reminder{'s' if sent != 1 else ''}.")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    """Platform, report, rows, dates, currency and totals of an export; needs no database."""
    import json
    from pathlib import Path

    from mediadesk.ingest.delivery.inspect import InspectError, inspect
    from mediadesk.ingest.safety import UnsafeFile

    path = Path(args.file)
    try:
        data = path.read_bytes()
        result = inspect(data, path.name)
    except OSError as exc:
        print(f"{path.name} cannot be read: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    except (InspectError, UnsafeFile, ValueError) as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return 2
    except Exception as exc:  # one line, never a traceback: the file is what is wrong here
        detail = " ".join(str(exc).split())[:300]
        print(f"{path.name} cannot be read ({type(exc).__name__}: {detail}).", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return 0
    shown = result.as_json()
    print(f"{result.source}: {result.platform} {result.report} report")
    skipped = f" ({result.summary_rows:,} total/footer rows not counted)" * bool(
        result.summary_rows
    )
    print(f"  data rows    {result.rows:,}{skipped}")
    print(f"  dates        {shown['date_from'] or '?'} to {shown['date_to'] or '?'}")
    print(f"  currency     {result.currency or '?'}")
    for name, value in shown["totals"].items():
        print(f"  {name:<12} {'—' if value is None else value}")
    for warning in result.warnings:
        print(f"  warning: {warning}")
    return 0


# --- compliance -------------------------------------------------------------------------------


class _BadInput(Exception):
    """A `compliance` command's input it cannot use: printed on stderr, exit code 2."""


_COPY_META = frozenset(
    {"id", "channel", "market", "platform", "sponsored", "categories", "category"}
)
_TRUE = frozenset({"yes", "y", "true", "1", "x", "ja", "oui", "sponsored"})
_FALSE = frozenset({"no", "n", "false", "0", ""})


def _compliance_actor(email: str | None, what: str) -> User:
    if not email:
        raise _BadInput(f"Give --by EMAIL: who reads {what}.")
    try:
        return _person(email, "--by")
    except SystemExit as exc:
        raise _BadInput(str(exc.code)) from None


def _saved_rule_set(actor: User, given: str) -> Any:
    """A rule set the person sees, by id or by name (an active one before an archived one)."""
    from django.db.models import Q

    from mediadesk.accounts.permissions import Action, can, is_org_admin, roles_by_client
    from mediadesk.compliance.models import RuleSet

    # Rule sets are internal work, as on the pages: a client reviewer sees none.
    internal = [pk for pk in roles_by_client(actor) if can(actor, Action.VIEW_ALL_CAMPAIGNS, pk)]
    visible = RuleSet.objects.visible_to(actor).filter(
        Q(client__isnull=True) | Q(client_id__in=internal)
    )
    if not internal and not is_org_admin(actor):
        visible = visible.none()
    text = given.strip()
    if text.isdigit():
        found = visible.filter(pk=int(text)).first()
        if found is not None:
            return found
    named = list(visible.filter(name__iexact=text).order_by("archived_at", "pk"))
    active = [rule_set for rule_set in named if rule_set.archived_at is None] or named
    if not active:
        raise _BadInput(
            f"{actor.email} sees no rule set {text!r} (give its id or name, or a .yaml/.json "
            "rule file)."
        )
    if len(active) > 1:
        ids = ", ".join(str(rule_set.pk) for rule_set in active)
        raise _BadInput(f"Several rule sets are named {text!r} (ids {ids}); give the id.")
    return active[0]


def _rule_file(path: Any) -> Any:
    """The rules of a local .yaml/.yml/.json file, or a sentence with the line that is wrong."""
    from mediadesk.ingest.rulefile import RuleFileError, read_rule_file

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise _BadInput(f"{path.name} cannot be read: {exc.strerror or exc}.") from None
    except UnicodeDecodeError as exc:
        raise _BadInput(f"{path.name} is not UTF-8 text (byte {exc.start + 1}).") from None
    try:
        return read_rule_file(text, path.name)
    except RuleFileError as exc:
        raise _BadInput(str(exc)) from None


def _copy_column(header: str) -> tuple[str, int]:
    """A column header as (field, position): "Headline 2" -> ("headline", 2), "Final_URL" ->
    ("final url", 0); the names ``ingest.copy`` accepts for copy decks are read the same way."""
    import re

    from mediadesk.ingest.copy import ALIASES

    words = " ".join(header.replace("_", " ").replace("-", " ").split()).casefold()
    if words in _COPY_META:
        return words, 0
    position = 0
    numbered = re.fullmatch(r"(.*?)\s*([0-9]{1,3})", words)
    if numbered and numbered[1]:
        words, position = numbered[1], int(numbered[2])
    return ALIASES.get(words, words), position


def _copy_table(source: Any) -> Any:
    """The copy variants file as a table (the project's reader: safety checks, encodings,
    delimiters, header search), or a sentence saying why not."""
    from mediadesk.ingest.tables import read_table

    try:
        data = source.read_bytes()
    except OSError as exc:
        raise _BadInput(f"{source.name} cannot be read: {exc.strerror or exc}.") from None
    try:
        return read_table(data, source.name)
    except ValueError as first:  # UnsafeFile too
        from mediadesk.ingest.safety import UnsafeFile

        if isinstance(first, UnsafeFile):
            raise _BadInput(" ".join(str(first).split())) from None
        # One column only ("text"): no row has two filled cells; look for a known header.
        for header in ("headline", "text", "description", "primary text", "post"):
            try:
                return read_table(data, source.name, header_contains=(header,))
            except ValueError:
                continue
        raise _BadInput(" ".join(str(first).split())) from None


def _sponsored(text: str, where: str) -> bool:
    value = text.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _BadInput(f"{where}: {text!r} is not yes or no (write yes/no, true/false or 1/0).")


def _platform(text: str, where: str) -> str:
    from mediadesk.domain.rules import PLATFORMS

    value = text.strip().lower().replace(" ", "_")
    if value not in PLATFORMS:
        raise _BadInput(f"{where}: {text!r} is not a platform; use one of {', '.join(PLATFORMS)}.")
    return value


def _copy_variants(
    table: Any, args: argparse.Namespace, default_categories: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """Each row of the table as (label, subject JSON), refusing what cannot be read."""
    from mediadesk.ingest.values import cell_text

    columns = [_copy_column(header) for header in table.headers]
    fields = sorted({name for name, _ in columns if name not in _COPY_META})
    if not fields:
        found = ", ".join(f'"{header}"' for header in table.headers)
        raise _BadInput(
            f"{table.source}: the header row (row {table.header_row}) names no copy field; "
            f"the headers found are {found}. Name the columns headline, headline 2, "
            "description, primary text, text, final url, …"
        )
    variants = []
    for row in table.rows:
        texts: dict[str, list[tuple[int, int, str]]] = {}
        label = f"row {row.number}"
        channel, market, sponsored = args.channel or "", args.market or "", bool(args.sponsored)
        platform = args.platform or ""
        categories = list(args.category or default_categories)
        for index, ((name, position), cell) in enumerate(zip(columns, row.cells, strict=False)):
            text = cell_text(cell).strip()
            where = f'{table.source}, row {row.number}, column "{table.headers[index]}"'
            if name == "id":
                label += f" ({text})" if text else ""
            elif name == "channel":
                channel = text or channel
            elif name == "market":
                market = text or market
            elif name == "platform":
                platform = _platform(text, where) if text else platform
            elif name == "sponsored":
                sponsored = _sponsored(text, where) if text else sponsored
            elif name in ("categories", "category"):
                categories = [c.strip() for c in text.split(",") if c.strip()] or categories
            elif text:
                texts.setdefault(name, []).append((position, index, text))
        subject = {
            "fields": {name: [t for _, _, t in sorted(items)] for name, items in texts.items()},
            "channel": channel,
            "market": market,
            "platform": platform,
            "sponsored": sponsored,
            "categories": categories,
        }
        variants.append((label, subject))
    return variants


def _finding_line(label: str, finding: Any) -> str:
    where = finding.field or ""
    if finding.field and finding.item is not None:
        where += f" {finding.item + 1}"  # the engine counts items from 0
    if finding.start is not None and finding.end is not None:
        where += f" [{finding.start}:{finding.end}]"
    severity = str(getattr(finding.severity, "value", finding.severity))
    return " ".join(part for part in (label, where.strip(), f"{severity}:") if part) + (
        f" {finding.message}"
    )


def cmd_compliance_check(args: argparse.Namespace) -> int:
    """Each copy variant (a row) against the rules; exit 1 when a finding is blocking, 2 when
    the input cannot be used."""
    try:
        return _compliance_check(args)
    except _BadInput as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _compliance_check(args: argparse.Namespace) -> int:
    import dataclasses
    from pathlib import Path

    from django.core.exceptions import ValidationError

    from mediadesk.compliance import services
    from mediadesk.domain.rules import CompiledRules

    source = Path(args.file)
    if not source.is_file():
        raise _BadInput(f"There is no file {source}.")
    if args.platform:
        args.platform = _platform(args.platform, "--platform")
    rules_path = Path(args.rules)
    if rules_path.suffix.lower() in (".yaml", ".yml", ".json"):
        if not rules_path.is_file():
            raise _BadInput(f"There is no rule file {rules_path}.")
        parsed = _rule_file(rules_path)
        compiled = CompiledRules(parsed)
        title, default_categories = rules_path.name, list[str]()
    else:
        actor = _compliance_actor(args.by, f"the rule set {args.rules}")
        rule_set = _saved_rule_set(actor, args.rules)
        compiled = services.compiled(rule_set)
        title = f"{rule_set.name} (rule set {rule_set.pk}, revision {rule_set.revision})"
        default_categories = (
            list(services.categories_of(rule_set.client)) if rule_set.client else []
        )
    table = _copy_table(source)
    variants = _copy_variants(table, args, default_categories)
    counts = {"blocking": 0, "warning": 0, "info": 0}
    flagged = 0
    for label, data in variants:
        try:
            subject = services.subject_from(data)
        except ValidationError as exc:
            message = "; ".join(exc.messages)
            raise _BadInput(f"{table.source}, {label}: {message}") from None
        if data["platform"] and not subject.platform:  # subject_from may not read it
            subject = dataclasses.replace(subject, platform=data["platform"])
        findings = compiled.check(subject)
        flagged += bool(findings)
        for finding in findings:
            severity = str(getattr(finding.severity, "value", finding.severity))
            counts[severity] = counts.get(severity, 0) + 1
            print(_finding_line(label, finding))
    rows = len(variants)
    print(
        f"Checked {rows:,} row{'s' if rows != 1 else ''} of {source.name} against {title}: "
        f"{counts['blocking']:,} blocking, {counts['warning']:,} warning"
        f"{'s' if counts['warning'] != 1 else ''}, {counts['info']:,} info; "
        f"{rows - flagged:,} row{'s' if rows - flagged != 1 else ''} without findings."
    )
    return 1 if counts["blocking"] else 0


def cmd_compliance_export(args: argparse.Namespace) -> int:
    """A rule set as its documented YAML or JSON file."""
    from pathlib import Path

    from mediadesk.compliance import services

    try:
        actor = _compliance_actor(args.by, f"the rule set {args.rule_set}")
        rule_set = _saved_rule_set(actor, args.rule_set)
        target = Path(args.output)
        fmt = args.format or ("json" if target.suffix.lower() == ".json" else "yaml")
        target.write_text(services.export_rule_set(rule_set, fmt), encoding="utf-8")
    except _BadInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.output} cannot be written: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    print(f"Wrote {rule_set.name} (revision {rule_set.revision}, {rule_set.rule_count} rules) "
          f"to {target} as {fmt.upper()}.")  # fmt: skip
    return 0


def cmd_compliance_import(args: argparse.Namespace) -> int:
    """A rule file as a new rule set, or (with --rule-set) as a set's next revision."""
    from pathlib import Path

    from django.core.exceptions import PermissionDenied, ValidationError

    from mediadesk.accounts.models import Brand, Client
    from mediadesk.compliance import services

    source = Path(args.file)
    try:
        actor = _compliance_actor(args.by, "the rule file")
        if not source.is_file():
            raise _BadInput(f"There is no file {source}.")
        try:
            text = source.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _BadInput(f"{source.name} is not UTF-8 text (byte {exc.start + 1}).") from None
        scope: dict[str, Any] = {}
        if args.client:
            client = Client.objects.visible_to(actor).filter(code__iexact=args.client).first()
            if client is None:
                raise _BadInput(f"{actor.email} sees no client {args.client}.")
            scope["client"] = client
            if args.brand:
                brand = Brand.objects.filter(client=client, name__iexact=args.brand).first()
                if brand is None:
                    raise _BadInput(f"{client.name} has no brand {args.brand!r}.")
                scope["brand"] = brand
        elif args.brand:
            raise _BadInput("--brand needs --client: a brand is a client's.")
        if args.market:
            scope["markets"] = args.market
        if args.channel:
            scope["channels"] = args.channel
        existing = _saved_rule_set(actor, args.rule_set) if args.rule_set else None
        organization = existing.organization if existing else actor.organization
        if organization is None:
            raise _BadInput(f"{actor.email} belongs to no organization.")
        try:
            made = services.import_rule_set(
                actor, organization=organization, text=text, filename=source.name,
                name=args.name or "", rule_set=existing, **scope,
            )  # fmt: skip
        except ValidationError as exc:  # the file, its rules or the scope: the input is bad
            raise _BadInput(str(_refused(exc).code)) from None
        except PermissionDenied as exc:
            raise _refused(exc) from None
    except _BadInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    whose = made.client.name if made.client else "every client"
    print(f"Saved {made.name} (rule set {made.pk}, revision {made.revision}, "
          f"{made.rule_count} rules) for {whose}.")  # fmt: skip
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediadesk", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port")
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--quiet", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demo agency and serve it")
    demo.add_argument("--port")
    demo.add_argument("--no-serve", action="store_true", help="load only, do not serve")
    demo.set_defaults(func=cmd_demo)

    createuser = sub.add_parser("createuser", help="add a person who can log in")
    createuser.add_argument("email")
    createuser.add_argument("--name")
    createuser.add_argument("--password", help="or MEDIADESK_PASSWORD, or asked for")
    createuser.add_argument("--organization", help="organization name (created if missing)")
    createuser.add_argument("--admin", action="store_true", help="organization admin")
    createuser.set_defaults(func=cmd_createuser)

    client_add = sub.add_parser("client-add", help="add a client (organization admins)")
    client_add.add_argument("name")
    client_add.add_argument("code", help="short code used in naming conventions, e.g. NWND")
    client_add.add_argument("--currency", default="EUR", help="default currency (ISO code)")
    client_add.add_argument("--by", required=True, metavar="ADMIN_EMAIL", help="who adds it")
    client_add.set_defaults(func=cmd_client_add)

    grant = sub.add_parser("grant", help="give a person a role on a client, or change it")
    grant.add_argument("email")
    grant.add_argument("client_code", metavar="CLIENT_CODE")
    grant.add_argument(
        "role", help="admin, coordinator, creative, finance, viewer or client_reviewer"
    )
    grant.add_argument("--by", required=True, metavar="ADMIN_EMAIL", help="who gives it")
    grant.set_defaults(func=cmd_grant)

    worker = sub.add_parser("worker", help="run background tasks")
    worker.add_argument("--queue", default="default")
    worker.add_argument("--batch", action="store_true", help="exit when the queue is empty")
    worker.add_argument(
        "--no-scheduler", action="store_true", help="do not enqueue the periodic jobs from here"
    )
    worker.set_defaults(func=cmd_worker)

    backup = sub.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="replace the database with a backup")
    restore.add_argument("path")
    restore.add_argument("--yes", action="store_true", help="do not ask")
    restore.set_defaults(func=cmd_restore)

    plan = sub.add_parser("plan", help="export or import a campaign's media plan")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    export = plan_sub.add_parser("export", help="write a plan version to a file")
    export.add_argument("client_code", metavar="CLIENT")
    export.add_argument("campaign_code", metavar="CAMPAIGN")
    export.add_argument("file", help="target file; its ending picks the format")
    export.add_argument("--format", choices=["xlsx", "csv", "json", "pdf"])
    export.add_argument("--version", type=int, help="version number (default: the newest)")
    export.add_argument("--by", required=True, metavar="EMAIL", help="who exports it")
    export.set_defaults(func=cmd_plan_export)
    imp = plan_sub.add_parser("import", help="import a plan file as a new draft")
    imp.add_argument("client_code", metavar="CLIENT")
    imp.add_argument("campaign_code", metavar="CAMPAIGN")
    imp.add_argument("file")
    imp.add_argument("--mapping", help='JSON {"field": "column header", …} for other layouts')
    imp.add_argument("--by", required=True, metavar="EMAIL", help="who imports it")
    imp.set_defaults(func=cmd_plan_import)

    delivery = sub.add_parser("delivery", help="import platform exports into a campaign")
    delivery_sub = delivery.add_subparsers(dest="delivery_command", required=True, metavar="ACTION")
    dimp = delivery_sub.add_parser("import", help="import an export file into a campaign")
    dimp.add_argument("file")
    dimp.add_argument("--campaign", required=True, metavar="ID", help="campaign id or code")
    dimp.add_argument("--by", required=True, metavar="EMAIL", help="who imports it")
    dimp.add_argument("--mapping", help='JSON {"field": "column header", …} for other layouts')
    dimp.add_argument("--save-mapping", metavar="NAME", help="save --mapping for the client")
    dimp.set_defaults(func=cmd_delivery_import)
    drb = delivery_sub.add_parser("rollback", help="roll an import back")
    drb.add_argument("import_id", type=int, metavar="IMPORT")
    drb.add_argument("--reason", default="")
    drb.add_argument("--by", required=True, metavar="EMAIL", help="who rolls it back")
    drb.set_defaults(func=cmd_delivery_rollback)

    invoices = sub.add_parser("invoices", help="vendor invoices")
    invoices_sub = invoices.add_subparsers(dest="invoices_command", required=True, metavar="ACTION")
    iimp = invoices_sub.add_parser("import", help="record the invoices of a CSV/XLSX file")
    iimp.add_argument("file")
    iimp.add_argument("--by", required=True, metavar="EMAIL", help="who records them (finance)")
    iimp.set_defaults(func=cmd_invoices_import)

    payments = sub.add_parser("payments", help="payment batches for accounting")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True, metavar="ACTION")
    pexp = payments_sub.add_parser("export", help="batch approved invoices and write the file")
    pexp.add_argument("--client", metavar="CODE", help="batch this client's approved invoices")
    pexp.add_argument("--currency", help="only invoices in this currency")
    pexp.add_argument("--batch", metavar="NUMBER", help="write an existing batch's file again")
    pexp.add_argument("--layout", choices=["mediadesk", "journal"], default="mediadesk")
    pexp.add_argument("--output", "-o", metavar="FILE", help="where to write the CSV")
    pexp.add_argument("--by", required=True, metavar="EMAIL", help="who exports (finance)")
    pexp.set_defaults(func=cmd_payments_export)

    assets = sub.add_parser("assets", help="the creative library")
    assets_sub = assets.add_subparsers(dest="assets_command", required=True, metavar="ACTION")
    aup = assets_sub.add_parser("upload", help="upload files as assets (or an asset's versions)")
    aup.add_argument("files", nargs="+", metavar="FILE")
    aup.add_argument("--campaign", metavar="ID_OR_CODE", help="campaign id or code")
    aup.add_argument("--by", required=True, metavar="EMAIL", help="who uploads them")
    aup.add_argument("--name", help="the asset's name (one file only; default: the file name)")
    placement_help = "a placement it is made for: line key, id or code (repeat for more)"
    aup.add_argument(
        "--placement", action="append", default=[], metavar="LINE_KEY", help=placement_help
    )
    spec_help = "a spec to check against, e.g. iab-300x250 (repeat for more)"
    aup.add_argument("--spec", action="append", default=[], metavar="KEY", help=spec_help)
    aup.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeat for more")
    aup.add_argument("--asset", type=int, metavar="ID", help="upload a new version of this asset")
    aup.add_argument("--note", default="", help="what changed (kept with the version)")
    aup.set_defaults(func=cmd_assets_upload)

    reviews = sub.add_parser("reviews", help="creative review rounds")
    reviews_sub = reviews.add_subparsers(dest="reviews_command", required=True, metavar="ACTION")
    rrem = reviews_sub.add_parser("remind", help="e-mail the deciders of stages due or overdue")
    rrem.set_defaults(func=cmd_reviews_remind)

    compliance = sub.add_parser("compliance", help="lint copy against rule sets; rule files")
    compliance_sub = compliance.add_subparsers(
        dest="compliance_command", required=True, metavar="ACTION"
    )
    cchk = compliance_sub.add_parser(
        "check", help="check a CSV/XLSX of copy variants (one a row); exit 1 when blocking"
    )
    cchk.add_argument("file", help="CSV or XLSX; headers: headline, headline 2, text, …")
    cchk.add_argument(
        "--rules", required=True, metavar="RULESET", help="rule set id or name, or a .yaml/.json"
    )
    cchk.add_argument("--by", metavar="EMAIL", help="who checks (needed for a saved rule set)")
    cchk.add_argument("--channel", default="", help="channel of rows without a channel column")
    cchk.add_argument("--market", default="", help="market of rows without a market column")
    cchk.add_argument("--sponsored", action="store_true", help="rows are sponsored content")
    cchk.add_argument("--platform", help="the platform of rows without a platform column")
    cchk.add_argument(
        "--category", action="append", default=[], metavar="CATEGORY",
        help="a regulated category, e.g. alcohol (repeat; default: the rule set client's)",
    )  # fmt: skip
    cchk.set_defaults(func=cmd_compliance_check)
    cexp = compliance_sub.add_parser("export", help="write a rule set as its YAML/JSON file")
    cexp.add_argument("rule_set", metavar="RULESET", help="rule set id or name")
    cexp.add_argument("-o", "--output", required=True, metavar="FILE")
    cexp.add_argument("--format", choices=["yaml", "json"], help="default: by the file name")
    cexp.add_argument("--by", required=True, metavar="EMAIL", help="who exports it")
    cexp.set_defaults(func=cmd_compliance_export)
    cimp = compliance_sub.add_parser("import", help="a rule file as a rule set or its revision")
    cimp.add_argument("file", help="a .yaml or .json rule file")
    cimp.add_argument("--by", required=True, metavar="EMAIL", help="who imports it")
    cimp.add_argument("--rule-set", metavar="RULESET", help="save as this set's next revision")
    cimp.add_argument("--name", help="the new set's name (default: the file name)")
    cimp.add_argument("--client", metavar="CODE", help="the client (default: every client)")
    cimp.add_argument("--brand", help="a brand of --client, by name")
    cimp.add_argument("--market", action="append", default=[], help="repeat; default: all")
    cimp.add_argument("--channel", action="append", default=[], help="repeat; default: all")
    cimp.set_defaults(func=cmd_compliance_import)

    inspect = sub.add_parser("inspect", help="what an export is (no database needed)")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true", help="one JSON object")
    inspect.set_defaults(func=cmd_inspect)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediadesk.settings")
    if args.command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["mediadesk manage", *args.args])
        return 0
    if args.command == "inspect":  # reads a file only: no Django, no database
        inspected: int = args.func(args)
        return inspected
    _setup_django()
    from mediadesk.audit.services import channel

    with channel("cli"):
        result: int = args.func(args)
    return result
