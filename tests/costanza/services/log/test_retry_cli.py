"""`costanza retry ID`: what each state becomes, in the database, and what is refused."""

from __future__ import annotations

from typing import Any

from posts.models import Account, Delivery
from tests.costanza.services.log.conftest import Filled


def state_of(filled: Filled, delivery_id: int) -> Delivery:
    with filled.app.store.read() as db:
        d = db.get(Delivery, delivery_id)
        assert d is not None
        return d


def test_failed_is_queued_again(filled: Filled, cli: Any) -> None:
    result = cli("retry", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Delivery 5 (post 4 on X) is queued again.")
    d = state_of(filled, 5)
    assert d.state == "queued" and d.reason is None and d.attempts == 0
    assert d.due_at == filled.clock.now()


def test_needs_review_is_checked_once_more(filled: Filled, cli: Any) -> None:
    result = cli("retry", "6")
    assert result.exit_code == 0
    assert "check once more whether post 5 on X went out" in result.stdout
    d = state_of(filled, 6)
    assert d.state == "unknown" and not (d.progress or {}).get("forced")


def test_needs_review_with_force_is_published_anyway(filled: Filled, cli: Any) -> None:
    result = cli("retry", "6", "--force")
    assert result.exit_code == 0
    assert "Post 5 on X will be published again" in result.stdout
    d = state_of(filled, 6)
    assert d.state == "queued" and d.progress["forced"] is True


def test_held_is_queued_and_waits_for_the_account(filled: Filled, cli: Any) -> None:
    result = cli("retry", "13", "--json")
    assert result.exit_code == 0
    import json

    data = json.loads(result.stdout)
    assert data["before"] == "held" and data["state"] == "queued"
    assert "costanza account check" in data["message"]
    assert state_of(filled, 13).state == "queued"
    with filled.app.store.read() as db:
        account = db.get(Account, state_of(filled, 13).account_id)
        assert account is not None and account.health == "held"


def test_published_has_nothing_to_retry(filled: Filled, cli: Any) -> None:
    result = cli("retry", "2")
    assert result.exit_code == 1
    assert result.output.strip() == ("Delivery 2 (post 1 on X) was already published "
                                     "(https://fake.invalid/x/x-1): nothing to retry.")
    assert state_of(filled, 2).state == "published"


def test_unknown_number_is_a_plain_error(filled: Filled, cli: Any) -> None:
    result = cli("retry", "99")
    assert result.exit_code == 1
    assert "There is no delivery number 99." in result.output
    assert "Traceback" not in result.output


def test_a_delivery_on_its_way_is_left_alone(filled: Filled, cli: Any) -> None:
    assert cli("retry", "5").exit_code == 0
    result = cli("retry", "5")
    assert result.exit_code == 1
    assert "is waiting to go out, not failed: nothing to retry." in result.output
    assert state_of(filled, 5).state == "queued"
