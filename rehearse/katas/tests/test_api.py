"""The katas catalog over HTTP: list, detail, and the reference implementations' results.

None of this grades code: the catalog is read from ``rehearse.katas.catalog``, and
``POST /api/v1/katas/{slug}/run`` evaluates the reference implementation, whose inputs
are validated and capped before anything is computed.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from rehearse.katas.api.serializers import MAX_SAFE_INTEGER, integer_text, json_value
from rehearse.katas.catalog import HANOI_MAX_N, KATAS

pytestmark = pytest.mark.django_db

SLUGS = ["factorial", "fibonacci", "binary-search", "reverse-string", "hanoi"]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


def run(api: APIClient, slug: str, args: Any) -> Any:
    return api.post(f"/api/v1/katas/{slug}/run", {"args": args}, format="json")


# -- the catalog ---------------------------------------------------------------------


def test_the_list_has_the_five_katas_in_catalog_order(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/katas/")
    assert response.status_code == 200
    katas = response.json()
    assert [kata["slug"] for kata in katas] == SLUGS
    assert katas[0] == {
        "slug": "factorial",
        "title": "Factorial",
        "function_name": "factorial",
        "signature": "def factorial(n: int) -> int:",
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_a_kata_shows_its_statement_examples_and_limits(api_client: APIClient, slug: str) -> None:
    kata = KATAS[slug]
    response = api_client.get(f"/api/v1/katas/{slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["statement"] == kata.statement
    assert body["statement"].startswith("# ")
    assert body["signature"] == kata.signature
    assert body["hidden_test_count"] == len(kata.hidden_tests)
    assert body["limits"] == {
        "test_seconds": kata.limits.test_seconds,
        "run_seconds": kata.limits.run_seconds,
        "memory_bytes": kata.limits.memory_bytes,
        "recursion_limit": kata.limits.recursion_limit,
        "output_bytes": kata.limits.output_bytes,
        "code_bytes": kata.limits.code_bytes,
    }
    assert len(body["examples"]) == len(kata.examples)
    for example, case in zip(body["examples"], kata.examples, strict=True):
        assert example["args"] == json_value(list(case.args))
        assert example["expected"] == json_value(case.expected)
        assert example["label"] == case.label
        assert example["call"].startswith(f"{kata.function_name}(")


def test_a_kata_never_shows_its_hidden_tests(api_client: APIClient) -> None:
    body = api_client.get("/api/v1/katas/factorial/").content.decode()
    hidden = KATAS["factorial"].hidden_tests
    for case in hidden:
        if case.expected >= 10**6:  # small answers (2, 6) appear anywhere by chance
            assert integer_text(case.expected)[:30] not in body
        assert not case.label or case.label not in body
    assert "hidden_tests" not in json.loads(body)


def test_hanoi_examples_send_moves_as_pairs(api_client: APIClient) -> None:
    examples = api_client.get("/api/v1/katas/hanoi/").json()["examples"]
    assert examples[2] == {
        "call": "hanoi(2)",
        "args": [2],
        "expected": [["A", "B"], ["A", "C"], ["B", "C"]],
        "label": "",
    }


def test_an_unknown_kata_is_a_404_problem(api_client: APIClient) -> None:
    body = problem(api_client.get("/api/v1/katas/quicksort/"), 404)
    assert body["type"] == "/problems/not-found"
    assert "factorial" in body["detail"]


def test_the_catalog_is_read_only(api_client: APIClient) -> None:
    problem(api_client.post("/api/v1/katas/", {}, format="json"), 405)
    problem(api_client.delete("/api/v1/katas/factorial/"), 405)


# -- running the reference -----------------------------------------------------------


def test_run_returns_the_reference_result_to_anyone(api_client: APIClient) -> None:
    response = run(api_client, "factorial", [5])
    assert response.status_code == 200, response.content
    assert response.json() == {"kata": "factorial", "call": "factorial(5)", "result": 120}


@pytest.mark.parametrize(
    ("slug", "args", "result"),
    [
        ("fibonacci", [10], 55),
        ("binary-search", [[1, 3, 3, 3, 5], 3], 1),
        ("binary-search", [[1, 3, 5, 7], 1, 1, 3], -1),
        ("reverse-string", ["añb → ✓"], "✓ → bña"),
        (
            "hanoi",
            [2, "left", "right", "middle"],
            [["left", "middle"], ["left", "right"], ["middle", "right"]],
        ),
        ("hanoi", [0], []),
    ],
)
def test_run_answers_every_kata(api_client: APIClient, slug: str, args: Any, result: Any) -> None:
    response = run(api_client, slug, args)
    assert response.status_code == 200, response.content
    assert response.json()["result"] == result


def test_big_integers_are_exact_decimal_strings(api_client: APIClient) -> None:
    big = run(api_client, "factorial", [2_000]).json()["result"]
    assert isinstance(big, str)
    assert len(big) == 5_736
    assert int(big[:100]) == math.factorial(2_000) // 10 ** (5_736 - 100)
    assert big.endswith("0" * 100)
    assert run(api_client, "fibonacci", [78]).json()["result"] == 8_944_394_323_791_464
    assert run(api_client, "fibonacci", [79]).json()["result"] == "14472334024676221"


def test_integer_text_writes_integers_past_pythons_digit_limit() -> None:
    values = [0, -7, MAX_SAFE_INTEGER, 10**4_299, 10**4_300, -(3**20_000), 10**12_345 + 1]
    saved = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # the reference conversion, without the limit
    try:
        expected = [str(value) for value in values]
    finally:
        sys.set_int_max_str_digits(saved)
    assert [integer_text(value) for value in values] == expected


@pytest.mark.parametrize(
    ("slug", "args", "cap"),
    [
        ("hanoi", [HANOI_MAX_N + 1], "n must be at most 12"),
        ("fibonacci", [10_001], "n must be at most 10,000"),
        ("factorial", [2_001], "n must be at most 2,000"),
        ("hanoi", [40], "n must be at most 12"),
    ],
)
def test_inputs_over_a_cap_are_a_400_naming_it(
    api_client: APIClient, slug: str, args: list[Any], cap: str
) -> None:
    body = problem(run(api_client, slug, args), 400)
    assert body["type"] == "/problems/validation-error"
    assert cap in body["detail"]
    assert body["errors"]["args"] == [body["detail"]]


@pytest.mark.parametrize(
    ("slug", "body", "message"),
    [
        ("factorial", {"args": [-1]}, "must not be negative"),
        ("factorial", {"args": [True]}, "must be an integer"),
        ("factorial", {"args": [2.5]}, "must be an integer"),
        ("factorial", {"args": []}, "takes 1 arguments, got 0"),
        ("binary-search", {"args": [[3, 1], 1]}, "sorted"),
        ("binary-search", {"args": [[1, 2], 1, 0, 5]}, "low=0, high=5"),
        ("reverse-string", {"args": [42]}, "must be a string"),
        ("hanoi", {"args": [3, "A", "A", "B"]}, "different names"),
        ("factorial", {"args": [1, 2, 3, 4, 5]}, "no more than 4"),
        ("factorial", {"args": "5"}, "list"),
        ("factorial", {}, "required"),
        ("factorial", {"args": [5], "n": 5}, "Unknown field"),
    ],
)
def test_bad_arguments_are_a_400(
    api_client: APIClient, slug: str, body: dict[str, Any], message: str
) -> None:
    response = api_client.post(f"/api/v1/katas/{slug}/run", body, format="json")
    assert message in json.dumps(problem(response, 400))


def test_run_of_an_unknown_kata_is_a_404(api_client: APIClient) -> None:
    problem(run(api_client, "quicksort", [1]), 404)


def test_a_malformed_body_is_a_400(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/katas/factorial/run", "{", content_type="application/json")
    assert problem(response, 400)["type"] == "/problems/malformed-request"


# -- the schema ----------------------------------------------------------------------


def test_the_schema_documents_the_katas_api(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/katas/",
        "/api/v1/katas/{slug}/",
        "/api/v1/katas/{slug}/run",
        "/api/v1/katas/{slug}/submissions/",
        "/api/v1/katas/{slug}/submissions/{id}/",
    } <= paths.keys()
    create = paths["/api/v1/katas/{slug}/submissions/"]["post"]
    for code in ("201", "400", "401", "404", "503"):
        assert code in create["responses"]
    assert "application/problem+json" in create["responses"]["503"]["content"]
    assert "Retry-After" in create["responses"]["503"]["description"]
    slug = next(p for p in create["parameters"] if p["name"] == "slug")
    assert slug["schema"]["enum"] == sorted(SLUGS)
    run_operation = paths["/api/v1/katas/{slug}/run"]["post"]
    assert "401" not in run_operation["responses"]  # anyone may call it
