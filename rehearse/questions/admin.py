"""Admin for the bank: browse and fix questions; imports go through the command."""

from django.contrib import admin

from rehearse.questions.models import Question, Source, Tag, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "slug")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("title", "topic", "difficulty", "status", "author", "updated_at")
    list_filter = ("status", "difficulty", "topic")
    search_fields = ("title", "prompt")
    autocomplete_fields = ("topic", "tags", "author")
    list_select_related = ("topic", "author")
    readonly_fields = ("created_at", "updated_at", "published_at", "source")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("slug",)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "imported_at", "digest")
    readonly_fields = ("name", "digest", "imported_at")
