"""The commented config file that `costanza init` writes, in the language it chose.

Keys and values are the same in every language; the comments are translated (each one a
message of the catalog, written without its "# ").
"""

from __future__ import annotations

from config import i18n
from config.i18n import N_, _

# The file, with {name} where a translated comment goes ({language}: the language chosen).
LAYOUT = """\
{intro}

[ui]
{ui}
language = "{language}"

[database]
# url = "sqlite:///path/to/costanza.db"          # {url_default}
# url = "postgresql+psycopg://costanza@db.example.org/costanza"
# busy_timeout_ms = 10000

[daemon]
{grace}
# grace_period = "2h"
{runway}
# runway_warning_days = 7

[media]
{fit}
# fit = "pad"
{chunk}
# facebook_chunk_mb = 20
{keep}
# keep_originals = "30d"

[networks]
{base_url}
# base_url = "http://127.0.0.1:8787"
{timeout}
# timeout_seconds = 30
{settle}
# settle_seconds_x = 120
# settle_seconds_facebook = 120
# settle_seconds_instagram = 120

{media_host}
# [media_host]
# kind = "folder"                                   # {folder}
# path = "/srv/www/costanza-media"                  # {path}
# base_url = "https://www.example.it/costanza-media/"   # {public_url}
# kind = "s3"                                       # {s3}
# bucket = "my-bucket"
# endpoint_url = "https://s3.example.com"
# region = "eu-south-1"
# prefix = "costanza/"
# url_expiry = "1h"

[x]
{x_prices}
# price_post = 0.015
# price_post_with_url = 0.20
{x_budget}
# monthly_budget = 5

[log]
# format = "text"      # {json}
# keep_days = 365

[web]
{web}
# enabled = false
# host = "127.0.0.1"
# port = 8765
"""

COMMENTS = {
    "intro": N_("""\
Costanza settings. Every line is optional: a missing key keeps its default.
Your time zone and weekly slots live in the database:
  costanza cadence show     costanza cadence set "mon 09:30, wed 18:00, fri 12:00"
Secrets (tokens, keys) never go in this file: they live in secrets.toml
(mode 0600) next to the database, or in a systemd credentials directory."""),
    "ui": N_("""\
The language Costanza speaks: "it" (italiano) or "en" (English). The option --lang and
the environment variable COSTANZA_LANG choose for one command."""),
    "grace": N_("""\
A slot missed while the daemon was stopped is still published this late;
past it, the queue moves on to the next slot (no bursts of posts)."""),
    "runway": N_("Warn when fewer than this many days of posts are left in the queue."),
    "fit": N_("How photos are fitted to Instagram's shapes (4:5 to 1.91:1): \"pad\" or "
              "\"crop\"."),
    "chunk": N_("Facebook videos above this size (MB) are uploaded in chunks."),
    "keep": N_("""\
Originals of removed and published posts leave the media store this long after
their last use ("30d"), unless another post still uses them; "never" keeps them."""),
    "base_url": N_("""\
Send all network traffic to one address (the sandbox, a test double, a proxy).
The environment variable COSTANZA_PLATFORM_URL does the same."""),
    "timeout": N_("How long to wait for a network's answer, in seconds."),
    "settle": N_("""\
When a network does not answer in time, the post may still appear a little later:
Costanza keeps checking ("checking whether it went out") for this long after it was
sent before publishing it again. Each must be longer than timeout_seconds."""),
    "x_prices": N_("""\
What X charges, in US dollars (pay-per-use). Costanza knows the prices of
2026-04-20; set them here if X changes them. `costanza costs` shows the spending."""),
    "x_budget": N_("""\
At most this much a month on X, in US dollars: once it is reached, posts to X
wait until the 1st of next month (Facebook and Instagram go on)."""),
    "media_host": N_("Instagram fetches photos from a public address. Pick one:"),
    "url_default": N_("default: costanza.db in the data folder"),
    "folder": N_("your own web space"),
    "path": N_("where Costanza copies the files"),
    "public_url": N_("where the world reads them"),
    "s3": N_("an S3-compatible bucket"),
    "json": N_('or "json", for journald and log tools'),
    "web": N_("""\
With `enabled = true`, `costanza daemon` also shows the page in the browser (as
`costanza web` does) on this address and port; `costanza web` then prints the
address to open."""),
}


def _commented(text: str, inline: bool) -> str:
    if inline:
        return text
    return "\n".join(f"# {line}" if line else "#" for line in text.split("\n"))


def template(language: str) -> str:
    """The settings file for a profile that speaks ``language``, commented in it."""
    with i18n.speaking(language):
        words = {name: _commented(_(message), name in INLINE)
                 for name, message in COMMENTS.items()}
    return LAYOUT.format(language=language, **words)


# The comments that end a line of a key, rather than standing on their own lines.
INLINE = frozenset({"url_default", "folder", "path", "public_url", "s3", "json"})
