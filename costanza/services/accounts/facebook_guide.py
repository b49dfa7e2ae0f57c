"""The words of `costanza account add facebook` with no options: the steps, numbered, from a
Meta app to the three things Costanza asks for (the user token, the app ID, the app secret).
The permissions listed are ``ALL_ASKED``: those publishing needs and those the comments want.

``guide()`` gives them in the language spoken (English in ``--json``), for the command line
now and a web page later.
"""

from __future__ import annotations

from typing import Any

from config.i18n import L_, N_
from costanza.services.accounts.permissions import ALL_ASKED

INTRO = N_("Connecting your Facebook Page takes about ten minutes, on a computer with a web "
           "browser. You need to be an admin of the Page; for Instagram, its professional "
           "account must be linked to the Page.")
# What each permission lets Costanza do, in one plain line.
USES = {
    "pages_show_list": N_("see your Pages"),
    "pages_read_engagement": N_("read your Page and its comments"),
    "pages_manage_posts": N_("publish on your Page"),
    "pages_manage_engagement": N_("answer and hide the comments under your Page's posts "
                                  "(only for comments)"),
    "instagram_basic": N_("see the Instagram account linked to your Page (only for "
                          "Instagram)"),
    "instagram_content_publish": N_("publish on Instagram (only for Instagram)"),
    "instagram_manage_comments": N_("read, answer and hide the comments on Instagram (only "
                                    "for Instagram)"),
}
STEPS = (
    N_("Open https://developers.facebook.com/apps, log in with the Facebook account that "
       "manages your Page, and press \"Create app\"."),
    N_("Give the app a name (for example \"Costanza\"). As use case choose \"Manage "
       "everything on your Page\"; if Meta asks for an app type instead, choose "
       "\"Business\". For Instagram, add the use case \"Manage messaging & content on "
       "Instagram\" too. The app can stay in development: it works for you, its admin."),
    N_("Open the Graph API Explorer at https://developers.facebook.com/tools/explorer/. On "
       "the right, under \"Meta App\" choose your app, and under \"User or Page\" choose "
       "\"User Token\"."),
    N_("Under \"Permissions\", add these seven (each lets Costanza do one thing; the two "
       "for the comments are not needed to publish):"),
    N_("Press \"Generate Access Token\", log in, choose your Page (and its Instagram "
       "account) and allow everything asked. Copy the long code that appears: it is your "
       "user token. It lasts about an hour; Costanza exchanges it for a Page token that "
       "does not expire."),
    N_("In your app, open App settings > Basic. Copy the App ID, then press \"Show\" next "
       "to App secret and copy it too. Keep the app secret to yourself, like a password."),
)
PERMISSIONS_STEP = 3  # the index of the step the permissions are listed under


def guide() -> dict[str, Any]:
    """The intro, and the steps with their details (the permissions under theirs)."""
    steps = []
    for index, step in enumerate(STEPS):
        details = ([L_("{permission}: {use}").format(permission=p, use=L_(USES[p]))
                    for p in ALL_ASKED] if index == PERMISSIONS_STEP else [])
        steps.append({"number": index + 1, "text": L_(step), "details": details})
    return {"intro": L_(INTRO), "steps": steps}
