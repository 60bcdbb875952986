"""The labkit hook contract: every hook a plugin may implement, documented here and only here.

Implement a hook with ``@labkit.hookimpl`` on a module-level function of the same name (a
function named like a hook without the decorator is refused at load). Hooks whose docstring says
"may be awaitable" may be ``async def`` (the core awaits the result); the others are called while
the app or the command line is being built and must return their value directly. Arguments are
always passed by keyword, and an implementation may accept fewer arguments than the specification
lists. labkit calls each plugin's implementation itself, in dependency order, so pluggy's
``tryfirst``/``trylast`` and hook wrappers have no effect.
The plugin's slug is the name it is registered under: its entry-point name, or for a file or
package in a lab's ``plugins/`` folder its name without a ``labkit_`` prefix. The slug is also its
URL prefix, its Tortoise app label and the prefix of its permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from pydantic import BaseModel
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from labkit.hooktypes import (
        Contribution,
        Event,
        HomeCard,
        Models,
        NavItem,
        Permission,
        PluginInfo,
        PortfolioItem,
        ReferenceKind,
    )
    from labkit.periods import Period

hookspec = pluggy.HookspecMarker("labkit")


@hookspec
def labkit_plugin_info() -> PluginInfo:
    """Describe the plugin: title, description, version and the slugs it depends on.

    Called once when the plugin is loaded. A plugin whose dependencies are not enabled is refused
    at load with a message naming the missing slug.
    """


@hookspec
def labkit_settings() -> type[BaseModel]:
    """Return the pydantic model of the plugin's ``[plugin.<slug>]`` table in ``lab.toml``.

    Called once when the plugins are loaded; the table is validated against it then, so an unknown
    key or a bad value stops ``labkit check``, ``labkit serve`` and every command with one line
    naming the key. Subclass ``labkit.plugin_settings.PluginSettings`` (unknown keys refused) and
    give every field a default. Environment variables ``LABKIT_PLUGIN_<SLUG>_<KEY>`` override a key;
    fields typed ``pydantic.SecretStr`` may only come from there. Read the values with
    ``ctx.plugin_settings("<slug>")`` in an action or ``app.state.plugins.settings_of("<slug>")``.
    """


@hookspec
def labkit_models() -> Models:
    """Name the modules that hold the plugin's Tortoise models and its migrations package.

    Called when the database is configured. The plugin becomes one Tortoise app whose label is its
    slug; ``labkit migrate`` applies its migrations after the core's.
    """


@hookspec
def labkit_routes() -> list[BaseRoute]:
    """Return the plugin's page routes (Starlette ``Route``/``Mount`` objects).

    Called once at app creation; the routes are mounted under ``/<slug>/``. Give every route a
    ``name`` so templates can build links with ``url_for("<slug>:<name>")``.
    """


@hookspec
def labkit_api_routes() -> list[BaseRoute]:
    """Return the plugin's JSON API routes, preferably ``labkit.api.ApiRoute`` objects.

    Called once at app creation; the routes are mounted under ``/api/v1/<slug>/`` and described in
    ``/api/v1/openapi.json``. Errors raised there are answered as RFC 9457 problem documents.
    """


@hookspec
def labkit_nav(request: Request) -> list[NavItem]:
    """Return the navigation entries this visitor may see.

    Called for every page render; ``request.state.person`` is the signed-in person or ``None``.
    Keep it cheap: no database queries.
    """


@hookspec
def labkit_home(request: Request) -> list[HomeCard]:
    """Return cards for the lab's front page (may be awaitable, may query the database).

    Called when the home page is rendered.
    """


@hookspec
def labkit_permissions() -> list[Permission]:
    """Declare the permissions the plugin defines and the roles that hold them by default.

    Called once at startup. Names must start with ``"<slug>."``. Check them with
    ``labkit.auth.require(request, "<slug>.<name>")`` before every write.
    """


@hookspec
def labkit_indicators(period: Period) -> list[Contribution]:
    """Return the plugin's contributions to the four indicators for ``period``, as counts.

    The period's boundaries are in the lab's time zone: ``period.bounds(labkit.i18n.current_zone.get())``
    (the indicator engine sets ``current_zone`` before calling, from a request or the command line).

    Called by the indicator engine (may be awaitable). Use it for what has no identity of its own
    (people at a hearing without an account, an event's attendance); things with an identity go
    through ``labkit_portfolio`` and people with an account through ``labkit_participants``.
    A hook that raises is reported by name and the other plugins' figures still count.
    """


@hookspec
def labkit_portfolio() -> list[PortfolioItem]:
    """Return the projects, partnerships and products the plugin knows of, each with its identity.

    Called by the indicator engine and the portfolio pages (may be awaitable): challenge winners
    taken forward as projects and their prototypes as products, residents' projects, partnerships.
    The engine counts each item once, in the period holding its ``started`` date. Report a thing
    either here (things with an identity) or as a count in ``labkit_indicators``, never both.
    """


@hookspec
def labkit_participants(period: Period) -> list[str]:
    """Return opaque identities of the people the plugin engaged during ``period``.

    As in ``labkit_indicators``, compute the period's bounds with
    ``period.bounds(labkit.i18n.current_zone.get())``: the caller sets it to the lab's time zone.

    Called by the indicator engine (may be awaitable). Use ``labkit.auth.participant_id(person_id)``
    for people with an account so that one person active in several modules counts once. These
    identities never leave the lab.
    """


@hookspec
def labkit_references() -> list[ReferenceKind]:
    """Offer kinds of records (``"organisation"``) that other plugins may point at.

    Called once at startup. Another plugin stores only the kind and the id, and reads them back
    with ``labkit.references.resolve(app, kind, id)`` or lists choices with
    ``labkit.references.search(app, kind, query)``; it never imports the offering plugin. A kind
    nobody offers resolves to ``None``, so the pointing plugin works when the other is switched off.
    A kind may also let others hold a record for a time (``reserve``/``release``, used through
    ``labkit.references.reserve`` and ``release``): a training session books a coworking space.
    """


@hookspec
def labkit_event(event: Event) -> None:
    """React to a domain event emitted with ``labkit.events.emit`` (may be awaitable).

    Called after the change that caused the event was committed. Use it for notifications,
    webhooks and audit. An exception here is logged and never undoes the change.
    """


@hookspec
def labkit_personal_data(person_id: int) -> dict[str, Any]:
    """Return what the plugin holds about person ``person_id``, for their own data export.

    Called when a person downloads their data (may be awaitable). Return JSON-ready values under
    keys that a person understands (``{"bookings": [...]}``).
    """


@hookspec
def labkit_erase_person(person_id: int) -> None:
    """Erase or anonymise what the plugin holds about person ``person_id`` (may be awaitable).

    Called inside the transaction that deletes the account. Keep the person's contributions
    (proposals, votes, bookings) for the record, but remove personal details from them; the
    core then anonymises the account itself.
    """


@hookspec
def labkit_demo_data(settings: Any) -> None:
    """Create realistic sample records for ``labkit demo`` (usually an awaitable).

    Called after migrations, with the database open, in dependency order of the plugins.
    ``settings`` is the lab's :class:`labkit.config.Settings`.
    """


@hookspec
def labkit_cli(cli: click.Group) -> None:
    """Add click commands or groups to the ``labkit`` command line.

    Called when the CLI starts, before arguments are parsed.
    """


@hookspec
def labkit_startup(app: Starlette) -> None:
    """Run when the web app starts, after the database is open (may be awaitable)."""


@hookspec
def labkit_housekeeping(app: Starlette) -> None:
    """Delete what the plugin no longer needs (expired links, old records); may be awaitable.

    Run by every worker when it starts and then every hour, with the core's own purges (old
    rate-limit events), so it must be idempotent and quick. An exception is logged, and the other
    plugins' housekeeping still runs.
    """


@hookspec
def labkit_shutdown(app: Starlette) -> None:
    """Run when the web app stops, before the database is closed (may be awaitable)."""
