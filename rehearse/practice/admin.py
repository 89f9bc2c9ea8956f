"""Admin for practice data: look up a learner's cards, reviews and interviews.

Read-mostly: schedules change through reviews (services), not by hand, so the FSRS
columns and the review log are read-only here.
"""

from django.contrib import admin

from rehearse.practice.models import Card, Enrolment, Interview, InterviewItem, ReviewLog


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("user", "topic", "created_at")
    list_select_related = ("user", "topic")
    raw_id_fields = ("user",)
    search_fields = ("user__email", "topic__slug")


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "question", "state", "due", "reps", "lapses", "is_suspended")
    list_filter = ("state", "is_suspended")
    list_select_related = ("user", "question")
    raw_id_fields = ("user", "question")
    search_fields = ("user__email", "question__title")
    readonly_fields = (
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "lapses",
        "created_at",
    )
    show_full_result_count = False  # COUNT(*) over 100,000s of cards on every page


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "card", "rating", "reviewed_at", "duration_ms", "source")
    list_filter = ("rating", "source")
    list_select_related = ("user",)
    raw_id_fields = ("user", "card")
    search_fields = ("user__email",)
    show_full_result_count = False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class InterviewItemInline(admin.TabularInline):
    model = InterviewItem
    extra = 0
    raw_id_fields = ("question",)
    readonly_fields = ("position", "question", "answer", "self_grade", "answered_at")
    can_delete = False


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "status", "started_at", "deadline", "score")
    list_filter = ("status",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    search_fields = ("user__email",)
    inlines = (InterviewItemInline,)
    readonly_fields = ("status", "started_at", "deadline", "closed_at", "score", "difficulties")
