"""Mail in the recipient's language: a Spanish-speaking member is told in Spanish while the staff
member who acted uses Portuguese."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from labkit.models import Notification
from labkit.notifications import shown
from labkit.testing import RunningLab

from tests.conftest import Postbox
from tests.coworking.conftest import booking_json, login, make_resource, make_space, next_weekday


async def test_a_spanish_speaker_is_told_in_spanish_by_a_portuguese_speaking_actor(
        make_lab: Callable[..., Awaitable[RunningLab]], orgs_plugin: Path, postbox: Postbox) -> None:
    lab = await make_lab(plugins=["coworking", "orgs"], local_plugins=[orgs_plugin], settings={"mail": postbox.settings()})
    printer = await make_resource(await make_space(), name="Impressora 3D", auto_approve=False)
    member = await login(lab)
    member.person.locale = "es"
    await member.person.save()
    asked = await member.api.post("/api/v1/coworking/bookings", json=booking_json(printer, next_weekday(2), 9, 10))
    booking_id = asked.json()["items"][0]["id"]
    staff = await login(lab, "staff")
    portuguese = {"Accept-Language": "pt-BR"}
    approved = await staff.submit(f"/coworking/bookings/{booking_id}/approve", headers=portuguese)
    assert approved.status_code == 303
    assert 'lang="pt-BR"' in (await staff.get(approved.headers["location"], headers=portuguese)).text

    await lab.deliver_mail()
    told = [m for m in postbox.received if "aprobada" in m["Subject"]]
    assert len(told) == 1 and told[0]["To"] == member.person.email
    assert "Tu reserva de Impressora 3D del" in told[0]["Subject"] and "fue aprobada." in told[0].get_content()
    notice = await Notification.filter(person_id=member.person.id).order_by("-id").first()
    assert shown(notice, "es").startswith("Tu reserva de Impressora 3D")
    inbox = await member.get("/account/notifications")  # the member's page, in their language
    assert "Tu reserva de Impressora 3D del" in inbox.text and "Sua reserva" not in inbox.text
