"""echo: a plugin made only of one action, to test what the core does for every action."""

from __future__ import annotations

from pydantic import BaseModel, Field

from labkit import Permission, PluginInfo, hookimpl
from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.actions import Context, Refused, action
from labkit.plugin_settings import PluginSettings


class EchoSettings(PluginSettings):
    """``[plugin.echo]``."""

    suffix: str = "!"


class ShoutIn(BaseModel):
    item_id: int
    text: str = Field(min_length=1, max_length=20)


@action("echo.shout", input=ShoutIn, permission="echo.shout")
async def shout(ctx: Context, data: ShoutIn) -> dict[str, object]:
    """Shout a text back (refused when it says no)."""
    if data.text == "no":
        raise Refused("No is no.", 409, kind="said-no")
    if data.text == "bad":
        raise Refused("Not this word.", 422, kind="validation", errors={"text": "Not this word."})
    return {"item": data.item_id, "text": data.text.upper() + ctx.plugin_settings("echo").suffix,
            "by": ctx.actor.name}


@action("echo.whisper", input=ShoutIn)
async def whisper(ctx: Context, data: ShoutIn) -> dict[str, object]:
    """Whisper a text back (any signed-in person with a confirmed address; "staff" needs more)."""
    if data.text == "staff":
        ctx.require_verification("staff")
    return {"item": data.item_id, "text": data.text.lower(), "by": ctx.actor.name}


pages = [
    ActionPage("/{item_id:int}/shout", shout, name="shout", template="echo/form.html",
               success=lambda ctx, result: ctx.url_for("echo:shout", item_id=result["item"]), message="Shouted."),
    ActionButton("/{item_id:int}/button", shout, name="button",
                 back=lambda ctx, params: ctx.url_for("echo:shout", item_id=params["item_id"])),
    ActionButton("/{item_id:int}/whisper", whisper, name="whisper",
                 back=lambda ctx, params: ctx.url_for("echo:shout", item_id=params["item_id"])),
]
api = [ActionRoute("/{item_id:int}/shout", shout, status=201), ActionRoute("/{item_id:int}/whisper", whisper)]


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title="Echo", description="Shouts back.", version="0.1")


@hookimpl
def labkit_settings() -> type[EchoSettings]:
    return EchoSettings


@hookimpl
def labkit_permissions() -> list[Permission]:
    return [Permission("echo.shout", "Shout", roles=("staff",))]


@hookimpl
def labkit_routes() -> list:
    return pages


@hookimpl
def labkit_api_routes() -> list:
    return api
