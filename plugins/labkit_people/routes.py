"""Where the network is on the web (found by convention: ``pages`` under ``/people/``, ``api``
under ``/api/v1/people/``). Every form and every API write runs an action."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.actions import Context
from labkit.api import ApiRoute
from labkit.i18n import N_

from labkit_people import actions
from labkit_people import api as reads
from labkit_people import pages as read


def _to_mine(ctx: Context, _result: Any) -> str:
    return ctx.url_for("people:me")


def _to_topics(ctx: Context, _result: Any) -> str:
    return ctx.url_for("people:topics")


pages = [
    Route("/", read.directory, name="directory"),
    ActionPage("/me", actions.save_profile, name="me", template="people/me.html", context=read.my_profile,
               initial=read.my_values, success=_to_mine, message=N_("Your profile was saved.")),
    ActionButton("/me/publish", actions.publish, name="publish", back=_to_mine,
                 message=N_("Your profile is public: it is in the directory.")),
    ActionButton("/me/unpublish", actions.unpublish, name="unpublish", back=_to_mine,
                 message=N_("Your profile is hidden: nobody else sees it any more.")),
    ActionPage("/topics", actions.add_topic, name="topics", template="people/topics.html",
               context=read.topics_context, success=_to_topics, message=N_("The topic was added to the list.")),
    ActionPage("/topics/{topic_id:int}", actions.update_topic, name="topic", template="people/topic.html",
               context=read.topic_context, initial=read.topic_values, success=_to_topics,
               message=N_("The topic was saved.")),
    ActionButton("/topics/{topic_id:int}/delete", actions.delete_topic, name="delete_topic", back=_to_topics,
                 message=N_("The topic was removed from the list and from the profiles.")),
    Route("/{profile_id:int}", read.profile_page, name="profile"),
]

api = [
    ApiRoute("/", reads.list_profiles, name="list", response=reads.ProfileList,
             query={**reads.FILTERS, "page": "page number, from 1", "per_page": "items per page, 1 to 100"}),
    ApiRoute("/popolo.json", reads.popolo, name="popolo", summary="Published profiles as Popolo persons and memberships."),
    ApiRoute("/topics", reads.list_topics, name="topics", response=reads.TopicList),
    ActionRoute("/topics", actions.add_topic, name="add_topic", status=201, response=reads.TopicOut,
                present=lambda ctx, topic: read.topic_view(topic)),
    ApiRoute("/me", reads.my_profile, name="me", permission=actions.PUBLISH),
    ActionRoute("/me", actions.save_profile, method="PUT", name="save", present=lambda ctx, profile: reads.mine_out(profile)),
    ActionRoute("/me/publish", actions.publish, name="publish", present=lambda ctx, profile: reads.mine_out(profile)),
    ActionRoute("/me/unpublish", actions.unpublish, name="unpublish",
                present=lambda ctx, profile: reads.mine_out(profile)),
    ApiRoute("/{profile_id:int}", reads.get_profile, name="detail", response=reads.ProfileOut),
]
