"""Where the hub is on the web (found by convention: ``pages`` under ``/federation/``, ``api``
under ``/api/v1/federation/``). Reading is public; the staff's pages need ``federation.manage``."""

from __future__ import annotations

from starlette.routing import Route

from labkit.action_routes import ActionButton, ActionPage
from labkit.actions import Context
from labkit.api import PageRoute
from labkit.i18n import gettext
from labkit_federation import actions, api_push, pages_staff, publish
from labkit_federation import api as reads
from labkit_federation import pages as public
from labkit_federation.actions import MANAGE
from labkit_federation.models import Member


def _lab(ctx: Context, member: Member) -> str:
    """The page of the member just saved."""
    return ctx.url_for("federation:lab", code=member.code)


pages = [
    Route("/", public.overview, name="overview"),
    Route("/completeness", public.completeness_page, name="completeness"),
    Route("/completeness.csv", public.completeness_csv, name="completeness_csv"),
    Route("/tree", public.tree_page, name="tree"),
    Route("/tree.csv", public.tree_csv, name="tree_csv"),
    Route("/tree.json", public.tree_json, name="tree_json"),
    Route("/labs/", public.directory, name="directory"),
    Route("/labs/{code}", public.lab_page, name="lab"),
    PageRoute("/registry", pages_staff.registry, name="registry", permission=MANAGE),
    ActionPage("/registry/new", actions.add_member, name="member_new", template="federation/member_form.html",
               context=pages_staff.new_member_context, initial=pages_staff.new_member_values, success=_lab,
               message=lambda member: gettext("%(name)s was added to the registry.", name=member.name)),
    Route("/registry/import", pages_staff.registry_import, methods=["POST"], name="registry_import"),
    PageRoute("/registry/export.csv", pages_staff.registry_export, name="registry_export", permission=MANAGE),
    Route("/registry/{code}/edit", pages_staff.member_edit, methods=["GET", "POST"], name="member_edit"),
    Route("/registry/{code}/token", pages_staff.token_issue, methods=["POST"], name="token_issue"),
    ActionButton("/registry/{code}/token/revoke", actions.revoke_token, name="token_revoke",
                 back=lambda ctx, params: ctx.url_for("federation:lab", code=params["code"]), success=_lab,
                 message=lambda member: gettext("The token of %(name)s was revoked.", name=member.name)),
    PageRoute("/harvests", pages_staff.harvests, name="harvests", permission=MANAGE),
    Route("/harvests/run", pages_staff.harvest_now, methods=["POST"], name="harvest_now"),
    PageRoute("/harvests/{run_id:int}", pages_staff.harvest_run, name="harvest_run", permission=MANAGE),
]
api = [*reads.api_routes, *api_push.routes, *publish.routes]
