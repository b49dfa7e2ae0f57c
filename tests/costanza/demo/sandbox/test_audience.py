"""The audience's control API (`/_sandbox/comments`) and the page that shows what it wrote."""

from __future__ import annotations

import pytest
import requests


def _fb_post(graph, creds, text="Il telaio"):
    return graph.request(f"v26.0/{creds['facebook']['page_id']}/feed",
                         post_args={"message": text})["id"]


def test_a_comment_is_added_under_a_post_with_its_author(graph, creds, control):
    post_id = _fb_post(graph, creds)
    made = control.add_comment("facebook", post_id, "Che bello! Quanto costa?",
                               author="Anna Bianchi")
    assert made["post"] == post_id and made["parent"] is None
    assert made["id"].startswith(post_id.split("_")[1] + "_")
    assert made["author"]["name"] == "Anna Bianchi"
    assert made["author"]["username"] == "anna_bianchi"
    assert made["by_account"] is False and made["deleted"] is False
    reply = control.add_comment("facebook", post_id, "Anche io lo vorrei", parent=made["id"])
    assert reply["parent"] == made["id"]
    assert [c["id"] for c in control.comments(network="facebook")] == [made["id"], reply["id"]]
    assert control.comments(network="x") == []
    assert [c["id"] for c in control.comments(post=post_id)] == [made["id"], reply["id"]]


def test_bad_comments_are_refused_and_nothing_is_stored(graph, creds, control):
    post_id = _fb_post(graph, creds)
    for body, status in (({"network": "tiktok", "post": post_id, "text": "ciao"}, 400),
                         ({"network": "facebook", "post": post_id, "text": "  "}, 400),
                         ({"network": "facebook", "post": "1_2", "text": "ciao"}, 404),
                         ({"network": "facebook", "post": post_id, "text": "ciao",
                           "parent": "999_999"}, 404)):
        answer = requests.post(f"{control.base_url}/_sandbox/comments", json=body, timeout=5)
        assert answer.status_code == status, body
        assert "error" in answer.json()
    assert control.comments() == []


def test_a_deleted_comment_is_kept_marked(graph, creds, control):
    post_id = _fb_post(graph, creds)
    made = control.add_comment("facebook", post_id, "Scritto per sbaglio")
    assert control.delete_comment(made["id"])["deleted"] is True
    [kept] = control.comments()
    assert kept["deleted"] is True
    with pytest.raises(requests.HTTPError):
        control.add_comment("facebook", post_id, "risposta", parent=made["id"])


def test_the_page_shows_comments_under_their_post_with_replies_nested(graph, creds, control):
    post_id = _fb_post(graph, creds, "La lana grezza")
    first = control.add_comment("facebook", post_id, "Dove la compri?", author="Rita Verdi")
    control.add_comment("facebook", post_id, "In Abruzzo <3", author="Marta", parent=first["id"])
    html = requests.get(f"{control.base_url}/", timeout=5).text
    post_at = html.index("La lana grezza")
    question, answer = html.index("Dove la compri?"), html.index("In Abruzzo &lt;3")
    assert post_at < question < answer
    nested = html[html.index(f'id="comment-{first["id"]}"'):]
    assert nested.index('class="replies"') < nested.index("In Abruzzo")
    assert "Rita Verdi" in html and "@rita_verdi" in html


def test_the_same_author_keeps_one_id_on_a_network(graph, creds, control):
    first_post, second_post = _fb_post(graph, creds), _fb_post(graph, creds, "La lana")
    anna = control.add_comment("facebook", first_post, "Bello!", author="Anna Bianchi")
    again = control.add_comment("facebook", second_post, "Anche questo", author="Anna Bianchi")
    under = control.add_comment("facebook", first_post, "Grazie", author="anna bianchi",
                                parent=anna["id"])
    rita = control.add_comment("facebook", first_post, "Quanto costa?", author="Rita Verdi")
    assert again["author"]["id"] == under["author"]["id"] == anna["author"]["id"]
    assert rita["author"]["id"] != anna["author"]["id"]
    # The Graph API shows her as one person under both posts.
    seen = {c["message"]: c["from"]["id"] for post in (first_post, second_post)
            for c in graph.request(f"v26.0/{post}/comments", args={
                "filter": "stream", "fields": "id,message,from{id,name}"})["data"]}
    assert seen["Bello!"] == seen["Anche questo"] == seen["Grazie"] == anna["author"]["id"]
    assert seen["Quanto costa?"] == rita["author"]["id"]


def test_one_name_on_two_networks_is_two_accounts(graph, creds, control, x_client, session,
                                                  x_auth):
    tweet = x_client.create_tweet(text="Il telaio nuovo", user_auth=True).data["id"]
    on_facebook = control.add_comment("facebook", _fb_post(graph, creds), "Bello!",
                                      author="Anna Bianchi")
    on_x = control.add_comment("x", tweet, "Bello!", author="Anna Bianchi")
    again_on_x = control.add_comment("x", tweet, "Davvero", author="Anna Bianchi")
    assert on_x["author"]["id"] == again_on_x["author"]["id"] != on_facebook["author"]["id"]
    # X's search names her once among the conversation's users.
    found = session.get("https://api.x.com/2/tweets/search/recent", auth=x_auth, params={
        "query": f"conversation_id:{tweet}", "expansions": "author_id",
        "tweet.fields": "author_id"}).json()
    assert [t["author_id"] for t in found["data"]] == [on_x["author"]["id"]] * 2
    assert [u["id"] for u in found["includes"]["users"]] == [on_x["author"]["id"]]

