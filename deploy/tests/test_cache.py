"""The published bank cached by nginx, against the running local stack (make stack).

rehearse/core/conditional.py decides what may be cached (anonymous reads of the bank,
for BANK_CACHE_SECONDS) and gives each an ETag; deploy/nginx/rehearse.conf.template
caches them and says what it did in X-Cache-Status.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
from stack_client import (
    API_PATH,
    HTTPS_PORT,
    Response,
    request,
    require_stack,
    seen_by_the_app,
    session_cookie,
    stack_py,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module", autouse=True)
def stack_is_up() -> None:
    require_stack()


@pytest.fixture(scope="module")
def signed_in() -> str:
    return session_cookie("stack-tests@example.org")


def fresh_path() -> str:
    """A page of the bank no earlier request has put in the cache."""
    return f"{API_PATH}?search={uuid.uuid4().hex}"


def shared_cache_seconds(response: Response) -> int:
    match = re.search(r"s-maxage=(\d+)", response.one("Cache-Control"))
    assert match, response.one("Cache-Control")
    return int(match.group(1))


def test_an_anonymous_read_is_answered_by_nginx_the_second_time() -> None:
    first = request("GET", API_PATH)
    second = request("GET", API_PATH)
    assert (first.status, second.status) == (200, 200)
    assert second.one("X-Cache-Status") == "HIT"
    assert second.body == first.body
    assert not seen_by_the_app(second)


def test_clients_get_the_validators_and_must_revalidate() -> None:
    response = request("GET", API_PATH)
    assert re.fullmatch(r'"[0-9a-f]{40}"', response.one("ETag"))
    # Browsers keep the body but ask every time; only the shared cache holds it fresh.
    assert response.one("Cache-Control").startswith("public, max-age=0, s-maxage=")
    assert 1 <= shared_cache_seconds(response) <= 10


def test_a_matching_if_none_match_is_a_304_from_nginx() -> None:
    etag = request("GET", API_PATH).one("ETag")
    response = request("GET", API_PATH, headers={"If-None-Match": etag})
    assert response.status == 304
    assert response.body == b""
    assert response.one("X-Cache-Status") == "HIT"
    assert not seen_by_the_app(response)


CREDENTIALS = {
    "bearer token": {"Authorization": "Bearer not-a-real-token"},
    "unknown session": {"Cookie": "__Host-sessionid=no-such-session"},
    "session among other cookies": {"Cookie": "theme=dark; __Host-sessionid=no-such-session"},
}


@pytest.mark.parametrize("headers", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_a_request_with_credentials_is_never_served_from_nor_stored_in_the_cache(
    headers: dict[str, str],
) -> None:
    path = fresh_path()
    anonymous = request("GET", path)
    assert anonymous.one("X-Cache-Status") == "MISS"
    # The page is cached now, yet a request with credentials still goes to the app...
    with_credentials = request("GET", path, headers=headers)
    assert with_credentials.one("X-Cache-Status") == "BYPASS"
    assert seen_by_the_app(with_credentials)
    assert with_credentials.all("ETag") == []
    # ... and what it got was not stored: on a fresh page, the next anonymous reader
    # goes to the app too.
    other = fresh_path()
    request("GET", other, headers=headers)
    assert request("GET", other).one("X-Cache-Status") == "MISS"


def test_a_signed_in_reader_gets_a_personal_uncached_page(signed_in: str) -> None:
    request("GET", API_PATH)
    response = request("GET", API_PATH, headers={"Cookie": signed_in})
    assert response.status == 200
    assert response.one("X-Cache-Status") == "BYPASS"
    assert seen_by_the_app(response)
    assert response.all("ETag") == []
    assert "public" not in ",".join(response.all("Cache-Control"))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_each_host_name_gets_links_to_itself(host: str) -> None:
    # The bodies hold absolute links: a copy cached for one name must not reach the other.
    for _ in range(2):
        response = request("GET", API_PATH, host=host)
        assert response.json()["next"].startswith(f"https://{host}:{HTTPS_PORT}{API_PATH}?")
    assert response.one("X-Cache-Status") == "HIT"


# Runs in `rehearse shell` with the stack's production settings: a save through the ORM,
# like the admin or a service would make, so the signals that move the bank version run.
# Prints the title it replaced and the time of the commit (autocommit: the save is its
# own transaction).
RETITLE = """
import json, time
from rehearse.questions.models import Question
question = Question.objects.get(pk={pk})
print("replaced", json.dumps(question.title))
question.title = {title!r}
question.save()
print("committed", time.time())
"""


def retitle(pk: int, title: str) -> tuple[str, float]:
    """Set the title of question `pk`; return the title it had and the commit time."""
    output = stack_py("rehearse", "shell", "-c", RETITLE.format(pk=pk, title=title))
    lines = dict(line.split(" ", 1) for line in output.splitlines() if " " in line)
    assert {"replaced", "committed"} <= lines.keys(), output
    return json.loads(lines["replaced"]), float(lines["committed"])


def test_an_edit_reaches_anonymous_readers_within_the_cache_bound() -> None:
    listing = request("GET", API_PATH)
    first = listing.json()["results"][0]
    detail_path = f"{API_PATH}{first['id']}/"
    request("GET", detail_path)
    detail = request("GET", detail_path)
    assert detail.one("X-Cache-Status") == "HIT", "the detail must be cached before the edit"
    bound = shared_cache_seconds(detail)

    new_title = f"{first['title']} (edited {uuid.uuid4().hex[:8]})"
    # The title to put back comes from the database: the cached copy may be stale.
    original, committed = retitle(first["id"], new_title)
    try:
        seen: dict[str, float] = {}
        while len(seen) < 2 and time.time() - committed < bound + 3:
            if "detail" not in seen and request("GET", detail_path).json()["title"] == new_title:
                seen["detail"] = time.time() - committed
            if "list" not in seen and new_title in {
                item["title"] for item in request("GET", API_PATH).json()["results"]
            }:
                seen["list"] = time.time() - committed
            time.sleep(0.1)
    finally:
        retitle(first["id"], original)
    assert seen.keys() == {"detail", "list"}, f"not seen within {bound + 3} s: {seen}"
    assert max(seen.values()) <= bound + 1, seen
