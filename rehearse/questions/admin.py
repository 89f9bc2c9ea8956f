"""Admin for the bank: browse and fix questions; imports go through the command.

A question's status only changes through the workflow services (actions below, or
the API), so that every change is in its history; the history itself is read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from rehearse.questions import services
from rehearse.questions.models import Question, QuestionTransition, Source, Tag, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ("title", "slug")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}


class TransitionInline(admin.TabularInline[QuestionTransition, Question]):
    model = QuestionTransition
    fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _workflow_action(
    service: Callable[..., Question], done: str
) -> Callable[[Any, HttpRequest, QuerySet[Question]], None]:
    def run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        moved = 0
        for question in queryset:
            try:
                service(question=question, by=request.user)
            except services.QuestionStateConflict as exc:
                modeladmin.message_user(request, f"{question}: {exc.detail}", messages.WARNING)
            else:
                moved += 1
        if moved:
            modeladmin.message_user(request, f"{moved} question(s) {done}.", messages.SUCCESS)

    return run


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin[Question]):
    list_display = ("title", "topic", "difficulty", "status", "author", "updated_at")
    list_filter = ("status", "difficulty", "topic")
    search_fields = ("title", "prompt")
    autocomplete_fields = ("topic", "tags", "author")
    list_select_related = ("topic", "author")
    readonly_fields = ("status", "created_at", "updated_at", "published_at", "source")
    inlines = (TransitionInline,)
    actions = ("submit", "publish", "unpublish")

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.MODERATE_PERMISSION)

    @admin.action(description="Submit the selected drafts for review", permissions=["moderate"])
    def submit(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        _workflow_action(services.question_submit, "submitted")(self, request, queryset)

    @admin.action(description="Publish the selected questions in review", permissions=["moderate"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        _workflow_action(services.question_publish, "published")(self, request, queryset)

    @admin.action(description="Unpublish the selected questions", permissions=["moderate"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        _workflow_action(services.question_unpublish, "unpublished")(self, request, queryset)


@admin.register(QuestionTransition)
class QuestionTransitionAdmin(admin.ModelAdmin[QuestionTransition]):
    """The audit trail: moderators (view_questiontransition) read it, nobody edits it."""

    list_display = ("at", "question", "action", "from_status", "to_status", "actor")
    list_filter = ("action",)
    search_fields = ("question__title", "actor__email", "reason")
    list_select_related = ("question", "actor")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ("slug",)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ("name", "imported_at", "digest")
    readonly_fields = ("name", "digest", "imported_at")
