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


async def replace(reported: list[tuple[Member, list[dict[str, Any]]]]) -> None:
    """Keep each trainer's ``reported`` list (a lab document's ``lab.trainings``) as the trainings
    it gave, in place of what its earlier documents said (two statements for the whole list)."""
    if not reported:
        return
    given = sorted({(trainer.id, t["trainee"], t["course"], date.fromisoformat(t["date"]))
                    for trainer, trainings in reported for t in trainings if t["trainee"] != trainer.code})
    await ReportedTraining.filter(trainer_id__in=[trainer.id for trainer, _ in reported]).delete()
    await ReportedTraining.bulk_create([ReportedTraining(trainer_id=trainer, trainee_code=code, course=course,
                                                         given_on=day) for trainer, code, course, day in given])


async def by_link() -> dict[tuple[int, str], list[ReportedTraining]]:
    """Every reported training, by (trainer member id, trainee code), oldest first."""
    out: dict[tuple[int, str], list[ReportedTraining]] = {}
    for training in await ReportedTraining.all().order_by("given_on", "course"):
        out.setdefault((training.trainer_id, training.trainee_code), []).append(training)
    return out
