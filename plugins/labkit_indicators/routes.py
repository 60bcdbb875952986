"""Where the indicators are on the web (mounted by convention: ``pages`` under ``/indicators/``,
``api`` under ``/api/v1/indicators/``). Each write is an action, shared by its page and its API route."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.actions import Action, Context
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_, gettext
from labkit.indicator_format.openapi import DocumentOut

from labkit_indicators import actions, actions_portfolio, exports, pages, pages_admin, pages_portfolio, rules
from labkit_indicators import api as reads

PERIOD_QUERY = {"period": "YYYY, YYYY-Qn or YYYY-MM; repeat or separate with commas (default: every published period)"}


def _to(name: str, **fixed: Any) -> Any:
    """A success or back target: the route ``name`` with the path parameters of ``fixed``."""
    return lambda ctx, _result: ctx.url_for(f"indicators:{name}", **fixed)


def _project_page(ctx: Context, project: Any) -> str:
    return ctx.url_for("indicators:project", project_id=project.id) + "#journey"


async def _entry_json(ctx: Context, entry: Any) -> dict[str, Any]:
    return (await reads.entry_out(entry)).model_dump()


def _form(path: str, action: Action[Any, Any], name: str, template: str, context: Any, initial: Any) -> ActionPage:
    """A portfolio form: on success "Saved." and back to the portfolio."""
    return ActionPage(path, action, name=name, template=template, context=context, initial=initial,
                      message=N_("Saved."), success=_to("portfolio"))


pages = [
    Route("/", pages.dashboard, name="dashboard"),
    Route("/data/{year:int}.json", pages.series_json, name="series"),
    Route("/charts/{year:int}/{chart}.svg", pages.chart_svg, name="chart"),
    Route("/report/{year:int}", pages.report, name="report"),
    ActionButton("/recompute", actions.recompute, name="recompute", message=N_("Provisional figures will be computed again."),
                 back=lambda ctx, _params: ctx.url_for("indicators:dashboard"),
                 success=lambda ctx, year: ctx.url_for("indicators:dashboard") + f"?year={year}"),
    Route("/portfolio/", pages_portfolio.portfolio, name="portfolio"),
    ActionPage("/portfolio/projects/new", actions_portfolio.save_project, name="project-new",
               template="indicators/project_form.html", context=pages_portfolio.project_form_context,
               initial=pages_portfolio.project_values, message=N_("The project is saved."),
               success=lambda ctx, project: ctx.url_for("indicators:project", project_id=project.id)),
    Route("/portfolio/projects/{project_id:int}", pages_portfolio.project_detail, name="project"),
    ActionPage("/portfolio/projects/{project_id:int}/edit", actions_portfolio.save_project, name="project-edit",
               template="indicators/project_form.html", context=pages_portfolio.project_form_context,
               initial=pages_portfolio.project_values, message=N_("The project is saved."),
               success=lambda ctx, project: ctx.url_for("indicators:project", project_id=project.id)),
    ActionButton("/portfolio/projects/{project_id:int}/delete", actions_portfolio.delete_project, name="project-delete",
                 message=N_("The project is deleted."), back=lambda ctx, params: ctx.url_for("indicators:project", **params),
                 success=_to("portfolio")),
    ActionPage("/portfolio/projects/{project_id:int}/milestones", actions_portfolio.add_milestone,
                           name="milestone-add", template="indicators/project.html",
                           context=pages_portfolio.project_context, message=N_("The milestone is added to the journey."),
                           success=_project_page, methods=("POST",)),
    ActionButton("/portfolio/projects/{project_id:int}/milestones/{milestone_id:int}/delete",
                 actions_portfolio.delete_milestone, name="milestone-delete", message=N_("The milestone is removed."),
                 back=lambda ctx, params: ctx.url_for("indicators:project", project_id=params["project_id"]),
                 success=_project_page),
    _form("/portfolio/partnerships/new", actions_portfolio.save_partnership, "partnership-new",
          "indicators/partnership_form.html", pages_portfolio.partnership_form_context, pages_portfolio.partnership_values),
    _form("/portfolio/partnerships/{partnership_id:int}/edit", actions_portfolio.save_partnership, "partnership-edit",
          "indicators/partnership_form.html", pages_portfolio.partnership_form_context, pages_portfolio.partnership_values),
    _form("/portfolio/products/new", actions_portfolio.save_product, "product-new", "indicators/product_form.html",
          pages_portfolio.product_form_context, pages_portfolio.product_values),
    _form("/portfolio/products/{product_id:int}/edit", actions_portfolio.save_product, "product-edit",
          "indicators/product_form.html", pages_portfolio.product_form_context, pages_portfolio.product_values),
    Route("/portfolio/{kind}/{record_id:int}", pages_portfolio.record_detail, name="record"),
    ActionButton("/portfolio/{kind}/{record_id:int}/delete", actions_portfolio.delete_record, name="record-delete",
                 message=N_("Deleted."), back=lambda ctx, params: ctx.url_for("indicators:record", **params),
                 success=_to("portfolio")),
    Route("/portfolio/external/{module}/{key:path}", pages_portfolio.external_item, name="external"),
    ActionPage("/entries/", actions.create, name="entries", template="indicators/entries.html",
               context=pages_admin.entries_context, initial=pages_admin.entry_defaults,
               message=N_("The entry is recorded."), success=_to("entries")),
    ActionPage("/entries/{entry_id:int}", actions.update, name="entry", template="indicators/entry.html",
               context=pages_admin.entry_context, initial=pages_admin.entry_values,
               message=N_("The entry is updated."), success=_to("entries")),
    ActionButton("/entries/{entry_id:int}/withdraw", actions.withdraw, name="entry-withdraw",
                 message=N_("The entry is withdrawn."), back=lambda ctx, params: ctx.url_for("indicators:entry", **params),
                 success=_to("entries")),
    ActionPage("/targets", actions.set_targets, name="targets", template="indicators/targets.html",
               context=pages_admin.targets_context, initial=pages_admin.target_values,
               message=lambda data: gettext("The targets for %(year)s are saved.", year=data.year),
               success=lambda ctx, data: ctx.url_for("indicators:dashboard") + f"?year={data.year}"),
    PageRoute("/periods", pages_admin.periods, name="periods", permission=rules.VIEW_PROVISIONAL),
    ActionPage("/periods", actions.publish, name="publish", template="indicators/periods.html",
                           context=pages_admin.periods_context,
                           message=lambda figures: gettext("Period %(period)s is published. Its figures are now frozen.",
                                                            period=figures.period.code),
                           success=_to("periods"), methods=("POST",)),
]

api = [
    ApiRoute("/", reads.api_document, name="document", response=DocumentOut, query=PERIOD_QUERY),
    ApiRoute("/sdmx.csv", reads.api_sdmx, name="sdmx", query=PERIOD_QUERY, media_type="application/vnd.sdmx.data+csv"),
    ApiRoute("/datapackage.zip", reads.api_datapackage, name="datapackage", query=PERIOD_QUERY,
             media_type="application/zip"),
    ApiRoute("/schema.json", reads.api_schema, name="schema"),
    ApiRoute("/periods", reads.api_periods, name="periods", response=reads.PeriodList),
    ActionRoute("/periods/{period}/publish", actions.publish, name="publish", status=201,
                present=lambda ctx, figures: exports.document(ctx.settings, [figures])),
    ApiRoute("/entries", reads.api_entries, name="entries", response=reads.EntryList, permission=rules.MANAGE),
    ActionRoute("/entries", actions.create, name="entry-create", response=reads.EntryOut, status=201,
                present=_entry_json),
    ActionRoute("/entries/{entry_id:int}", actions.update, method="PUT", name="entry-update", response=reads.EntryOut,
                present=_entry_json),
    ActionRoute("/entries/{entry_id:int}/withdraw", actions.withdraw, name="entry-withdraw", response=reads.EntryOut,
                present=_entry_json),
]
