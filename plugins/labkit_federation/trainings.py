"""Trainings member labs report giving to other labs' teams (``lab.trainings``, format 1.2).

A lab's document lists the cohorts it trained (the trainee lab's code, the course, the day it
ended; never a person). Each document the hub stores from that lab replaces its list. The tree
(:mod:`labkit_federation.tree`) shows them under the trainer, and a reported training makes the
link for a trainee whose registry entry names no mentor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from labkit_federation.models import Member, ReportedTraining


async def replace(trainer: Member, reported: list[dict[str, Any]]) -> None:
    """Keep ``reported`` (a lab document's ``lab.trainings``) as ``trainer``'s trainings given."""
    given = {(t["trainee"], t["course"], date.fromisoformat(t["date"])) for t in reported
             if t["trainee"] != trainer.code}
    await ReportedTraining.filter(trainer=trainer).delete()
    await ReportedTraining.bulk_create([ReportedTraining(trainer=trainer, trainee_code=code, course=course, given_on=day)
                                        for code, course, day in sorted(given)])


async def by_link() -> dict[tuple[int, str], list[ReportedTraining]]:
    """Every reported training, by (trainer member id, trainee code), oldest first."""
    out: dict[tuple[int, str], list[ReportedTraining]] = {}
    for training in await ReportedTraining.all().order_by("given_on", "course"):
        out.setdefault((training.trainer_id, training.trainee_code), []).append(training)
    return out
