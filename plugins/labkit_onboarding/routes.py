"""Where the checklist is on the web: its page, the tick form and the JSON API (mounted by convention)."""

from __future__ import annotations

from labkit.action_routes import ActionPage, ActionRoute
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_

from labkit_onboarding.actions import Ticked, tick
from labkit_onboarding.forms import ChecklistOut, ItemOut
from labkit_onboarding.pages import api_checklist, checklist, checklist_context


def _ticked(result: Ticked) -> str:
    return N_("Milestone marked as done.") if result.done else N_("Milestone marked as not done.")


# the form is on the checklist page; this address only takes what it sends
tick_form = ActionPage("/items/{key}", tick, name="tick", template="onboarding/checklist.html",
                       context=checklist_context, message=_ticked, methods=("POST",),
                       success=lambda ctx, result: ctx.url_for("onboarding:index") + f"#item-{result.item.key}")

pages = [
    PageRoute("/", checklist, name="index", permission="onboarding.view"),
    tick_form,
]
api = [
    ApiRoute("/checklist", api_checklist, name="checklist", response=ChecklistOut, permission="onboarding.view"),
    ActionRoute("/items/{key}", tick, name="tick", response=ItemOut, present=lambda ctx, result: result.item.model_dump()),
]
