"""End to end in headless Chromium: Ben plans Northwind's weekly meeting, starts it (the
agenda freezes), types notes (saved as he types), makes an action item for Cara from an agenda
line (a task she now has), finishes the meeting and sends the minutes to the attendees — the
e-mail is queued in the outbox with the action item and goes out to the test mail backend.
Then he moves a card across the task board with the keyboard alone.

Assertions are on what a person sees (text, roles, labels), and on the e-mail sent.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from playwright.sync_api import Page, expect

from mediadesk.accounts.models import Client, User
from mediadesk.demo import DEMO_PASSWORD
from mediadesk.work import meetings, outbox, services
from mediadesk.work.choices import TaskStatus
from mediadesk.work.models import Meeting, Task


def log_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label(re.compile(r"^\s*E-mail")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_run_a_meeting_and_send_its_minutes(live_demo: Any, page: Page) -> None:
    ben = User.objects.get(email="ben@demo.test")
    cara = User.objects.get(email="cara@demo.test")
    northwind = Client.objects.get(code="NWND")
    log_in(page, "ben@demo.test")
    # An open task of Northwind: it is on the agenda whatever the attention list holds.
    open_task = services.create_task(
        ben, client_id=northwind.pk, title="Radio make-goods still missing", owner=ben
    )

    page.goto(f"/meetings/new/?client={northwind.pk}")
    expect(page.get_by_role("heading", level=1, name="Plan a meeting")).to_be_visible()
    page.get_by_label("Title").fill("Northwind weekly status")
    page.get_by_label("Cara Castillo (cara@demo.test)").check()
    expect(page.get_by_label("Ben Brooks (ben@demo.test)")).to_be_checked()
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1, name="Northwind weekly status")).to_be_visible()
    meeting = Meeting.objects.get(title="Northwind weekly status")

    line = page.locator(f'[data-agenda-key="task:{open_task.pk}"]')
    expect(line).to_contain_text("Radio make-goods still missing")
    expect(page.get_by_text("Live until the meeting starts")).to_be_visible()
    page.get_by_role("button", name="Start the meeting").click()
    expect(page.get_by_text("Meeting started;")).to_be_visible()

    notes = page.get_by_role("textbox", name="Notes")
    notes.click()
    notes.press_sequentially("Radio is under plan.")
    notes.press("Enter")
    notes.press_sequentially("Decision: hold the extra search budget")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at", timeout=15_000)
    assert "Decision: hold the extra search budget" in Meeting.objects.get(pk=meeting.pk).notes

    line = page.locator(f'[data-agenda-key="task:{open_task.pk}"]')
    line.get_by_text("Make an action item").click()
    line.get_by_label("Action").fill("Confirm the make-good spots with RMS")
    line.get_by_label("Owner").select_option(str(cara.pk))
    due = services.today() + timedelta(days=3)
    line.get_by_label("Due").fill(due.isoformat())
    line.get_by_role("button", name="Add the action item").click()
    expect(page.get_by_text("Action item for Cara Castillo")).to_be_visible()
    items = page.locator("#action-items")
    expect(items.get_by_role("link", name="Confirm the make-good spots with RMS")).to_be_visible()

    # The action item is Cara's task, on the task list.
    page.goto("/tasks/?view=all")
    expect(page.get_by_role("link", name="Confirm the make-good spots with RMS")).to_be_visible()
    page.goto(meeting.get_absolute_url())

    page.get_by_role("button", name="Finish the meeting").click()
    expect(page.get_by_role("heading", level=2, name="Minutes", exact=True)).to_be_visible()
    expect(page.locator(".minutes-notes")).to_contain_text("Radio is under plan.")
    page.get_by_role("button", name="Send the minutes").click()
    expect(page.get_by_text("Minutes sent to ben@demo.test, cara@demo.test")).to_be_visible()
    expect(page.locator("[data-minutes-mail]")).to_contain_text("Waiting to send")

    [message] = meetings.minutes_sent(meeting)
    assert message.to == ["ben@demo.test", "cara@demo.test"]
    assert message.subject.startswith("Minutes: Northwind weekly status")
    action_line = (
        f"- Confirm the make-good spots with RMS — Cara Castillo, due {due.day} {due:%b %Y}"
    )
    assert action_line in message.body
    assert "- hold the extra search budget" in message.body

    outbox.deliver_due()
    sent = [m for m in mail.outbox if m.subject == message.subject]
    assert len(sent) == 1 and sorted(sent[0].to) == ["ben@demo.test", "cara@demo.test"]
    assert action_line in sent[0].body
    page.reload()
    expect(page.locator("[data-minutes-mail]")).to_contain_text("Sent")


def test_move_a_card_on_the_board_with_the_keyboard(live_demo: Any, page: Page) -> None:
    ben = User.objects.get(email="ben@demo.test")
    northwind = Client.objects.get(code="NWND")
    log_in(page, "ben@demo.test")
    card_task = services.create_task(
        ben, client_id=northwind.pk, title="Keyboard card", owner=ben,
        due=services.today() + timedelta(days=1),
    )  # fmt: skip
    page.goto("/tasks/board/?view=mine")
    expect(page.get_by_role("heading", level=1, name="Task board")).to_be_visible()
    card = page.locator(f'[data-task="{card_task.pk}"]')
    expect(page.locator('[data-drop="open"]')).to_contain_text("Keyboard card")

    card.focus()
    page.keyboard.press("ArrowRight")
    expect(
        page.locator('[data-drop="doing"]').locator(f'[data-task="{card_task.pk}"]')
    ).to_be_visible()
    expect(page.locator("[data-board-announce]")).to_have_text(
        "Moved “Keyboard card” to In progress."
    )
    expect(card).to_be_focused()
    assert Task.objects.get(pk=card_task.pk).status == TaskStatus.DOING

    # The card's own buttons work from the keyboard too (Tab to one, Enter).
    done_button = card.get_by_role("button", name="Move to done")
    done_button.focus()
    page.keyboard.press("Enter")
    expect(
        page.locator('[data-drop="done"]').locator(f'[data-task="{card_task.pk}"]')
    ).to_be_visible()
    assert Task.objects.get(pk=card_task.pk).status == TaskStatus.DONE
    expect(card.get_by_role("button", name="Move to done")).to_be_hidden()

    # The move is kept: after a reload the card is still done.
    page.reload()
    expect(page.locator('[data-drop="done"]')).to_contain_text("Keyboard card")

    # With the mouse: drag a card into another column.
    dragged = services.create_task(ben, client_id=northwind.pk, title="Dragged card", owner=ben)
    page.reload()
    count = page.locator('[data-column="doing"] [data-column-count]')
    before = int(count.inner_text())
    page.locator(f'[data-task="{dragged.pk}"]').drag_to(page.locator('[data-column="doing"]'))
    doing = page.locator('[data-drop="doing"]')
    expect(doing.locator(f'[data-task="{dragged.pk}"]')).to_be_visible()
    expect(count).to_have_text(str(before + 1))
    assert Task.objects.get(pk=dragged.pk).status == TaskStatus.DOING
