from __future__ import annotations

import pytest

from config.errors import NotFound
from costanza.app import App
from posts.listing import load_profile
from posts.profiles import get_profile

NO_SHOP = ("There is no profile called 'bottega'. Run `costanza init --profile bottega` "
           "to create it, or leave out --profile to use the default one.")


def test_unknown_profile_says_how_to_create_it(app: App) -> None:
    with app.store.read() as db, pytest.raises(NotFound) as e:
        get_profile(db, "bottega")
    assert e.value.message == NO_SHOP


def test_listing_names_an_unknown_profile_the_same_way(app: App) -> None:
    with app.store.engine.connect() as conn, pytest.raises(NotFound) as e:
        load_profile(conn, "bottega")
    assert e.value.message == NO_SHOP
