"""How katas, reference results and submissions look in the API, and what a body may hold.

Katas are catalog values, not rows: their serializers read ``Kata`` and ``Case``
attributes. A kata shows its visible examples with their arguments and answers; of its
hidden tests, only how many there are.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rehearse.core.serializers import (
    FastRepresentationMixin,
    RehearseModelSerializer,
    StrictFieldsMixin,
)
from rehearse.katas.catalog import Case, Kata
from rehearse.katas.grader.grading import show
from rehearse.katas.models import VERDICT_CHOICES, Submission

# Integers beyond this are sent as decimal strings: JavaScript's numbers would round them,
# and Python's json refuses to write one of more than 4,300 digits (2,000! has 5,736).
MAX_SAFE_INTEGER = 2**53 - 1
# Python converts ints of up to 4,300 digits to text; longer ones go in chunks this big.
_CHUNK_DIGITS = 1_000
CALL_ARGUMENT_CHARS = 120


def integer_text(value: int) -> str:
    """The decimal digits of ``value``, however many there are."""
    if value.bit_length() <= 4_000 * 3:  # < 4,000 digits: within Python's limit
        return str(value)
    sign, value = ("-", -value) if value < 0 else ("", value)
    chunks: list[int] = []
    base = 10**_CHUNK_DIGITS
    while value:
        value, chunk = divmod(value, base)
        chunks.append(chunk)
    head, *rest = reversed(chunks)
    return sign + str(head) + "".join(f"{chunk:0{_CHUNK_DIGITS}d}" for chunk in rest)


def json_value(value: Any) -> Any:
    """``value`` as JSON: tuples become lists, integers past 2^53 - 1 decimal strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) <= MAX_SAFE_INTEGER else integer_text(value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


def call_text(kata: Kata, args: list[Any] | tuple[Any, ...]) -> str:
    """The call as a learner would write it, each argument shortened if long."""
    shown = ", ".join(show(arg, CALL_ARGUMENT_CHARS) for arg in args)
    return f"{kata.function_name}({shown})"


# -- katas ---------------------------------------------------------------------------


class LimitsSerializer(serializers.Serializer[Any]):
    test_seconds = serializers.FloatField(help_text="Wall-clock seconds for one test.")
    run_seconds = serializers.FloatField(help_text="Wall-clock seconds for every test together.")
    memory_bytes = serializers.IntegerField(help_text="Address space of the process.")
    recursion_limit = serializers.IntegerField(help_text="Python's recursion limit.")
    output_bytes = serializers.IntegerField(help_text="What printing is kept, at most.")
    code_bytes = serializers.IntegerField(help_text="Largest submission, in bytes of UTF-8.")


class ExampleSerializer(serializers.Serializer[Any]):
    call = serializers.CharField(help_text="The call, as Python: factorial(5).")
    args = serializers.JSONField(help_text="The arguments, as JSON.")
    expected = serializers.JSONField(
        help_text="The answer, as JSON (integers past 2^53 - 1 as decimal strings)."
    )
    label = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.label
        help_text="What the example checks; may be empty."
    )


class KataSummarySerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    title = serializers.CharField()
    function_name = serializers.CharField()
    signature = serializers.CharField(help_text="The function to write, as a Python def line.")


class KataSerializer(KataSummarySerializer):
    statement = serializers.CharField(help_text="The exercise, in Markdown.")
    examples = serializers.SerializerMethodField()
    hidden_test_count = serializers.SerializerMethodField()
    limits = LimitsSerializer()

    @extend_schema_field(ExampleSerializer(many=True))
    def get_examples(self, kata: Kata) -> list[dict[str, Any]]:
        return [self._example(kata, case) for case in kata.examples]

    @staticmethod
    def _example(kata: Kata, case: Case) -> dict[str, Any]:
        return {
            "call": call_text(kata, case.args),
            "args": json_value(list(case.args)),
            "expected": json_value(case.expected),
            "label": case.label,
        }

    def get_hidden_test_count(self, kata: Kata) -> int:
        return len(kata.hidden_tests)


class RunRequestSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    args = serializers.ListField(
        max_length=4,
        help_text="The positional arguments, as JSON: [5] for factorial(5).",
    )


class RunResultSerializer(serializers.Serializer[Any]):
    kata = serializers.SlugField()
    call = serializers.CharField(help_text="The call that was evaluated, as Python.")
    result = serializers.JSONField(
        help_text=(
            "What the reference implementation returns, as JSON: tuples as lists, "
            "integers past 2^53 - 1 as decimal strings."
        )
    )


# -- submissions ---------------------------------------------------------------------


class SourceField(serializers.CharField):
    """Source code: a JSON string, never a number that DRF would turn into one."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class SubmissionCreateSerializer(StrictFieldsMixin, serializers.Serializer[Any]):
    """``context["kata"]`` is the kata the code is for: its limits bound the code's size."""

    code = SourceField(
        trim_whitespace=False, help_text="Python source that defines the kata's function."
    )

    def validate_code(self, code: str) -> str:
        limit = self.context["kata"].limits.code_bytes
        size = len(code.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise serializers.ValidationError(
                f"The code is {size:,} bytes of UTF-8; the limit is {limit:,}."
            )
        return code


class TestResultSerializer(serializers.Serializer[Any]):
    """One test; for a hidden test, its arguments, expected value and result stay null."""

    __test__ = False  # not a pytest test class, despite the name

    index = serializers.IntegerField()
    name = serializers.CharField()
    hidden = serializers.BooleanField()
    verdict = serializers.ChoiceField(choices=VERDICT_CHOICES)
    detail = serializers.CharField()
    arguments = serializers.CharField(allow_null=True, help_text="The call (visible tests only).")
    expected = serializers.CharField(allow_null=True, help_text="Expected value, as Python.")
    got = serializers.CharField(allow_null=True, help_text="What your function returned.")
    elapsed_seconds = serializers.FloatField(allow_null=True)
    recursed = serializers.BooleanField(
        allow_null=True, help_text="Whether your function recursed; null if it did not finish."
    )


class SubmissionSummarySerializer(FastRepresentationMixin, RehearseModelSerializer):
    class Meta:
        model = Submission
        fields = ("id", "kata", "verdict", "message", "duration_ms", "created_at")
        read_only_fields = fields


class SubmissionSerializer(RehearseModelSerializer):
    tests = TestResultSerializer(many=True, read_only=True, source="results")

    class Meta:
        model = Submission
        fields = (
            "id",
            "kata",
            "verdict",
            "message",
            "tests",
            "output",
            "output_truncated",
            "duration_ms",
            "created_at",
            "code",
        )
        read_only_fields = fields
