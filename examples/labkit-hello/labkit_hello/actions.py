"""What people do with the greeting wall: each use case once, for the page and the API alike."""

from __future__ import annotations

from pydantic import BaseModel, Field

from labkit.actions import Context, action

from labkit_hello.models import Greeting


class GreetingIn(BaseModel):
    """What a person sends to leave a greeting."""

    text: str = Field(min_length=1, max_length=280)


@action("hello.post_greeting", input=GreetingIn, permission="hello.post")
async def post_greeting(ctx: Context, data: GreetingIn) -> Greeting:
    """Leave a greeting."""
    greeting = await Greeting.create(author=ctx.actor, text=data.text)
    await ctx.emit("hello.greeting_posted", greeting_id=greeting.id)
    return greeting
