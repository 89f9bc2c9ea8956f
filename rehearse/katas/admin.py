"""Admin for kata submissions: read-only, for looking into a learner's report."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rehearse.katas.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = ("id", "user", "kata", "verdict", "duration_ms", "created_at")
    list_filter = ("kata", "verdict")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    # Submissions are graded records: the admin shows them, it does not forge or edit them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
