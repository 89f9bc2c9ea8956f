"""factory_boy factories for the question bank."""

from __future__ import annotations

import factory
from django.utils import timezone

from rehearse.questions.models import Difficulty, Question, QuestionStatus, Tag, Topic


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    title = factory.LazyAttribute(lambda topic: topic.slug.replace("-", " ").title())
    description = "What this topic covers."


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")


class QuestionFactory(factory.django.DjangoModelFactory[Question]):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    topic = factory.SubFactory(TopicFactory)
    slug = factory.Sequence(lambda n: f"question-{n}")
    title = factory.Sequence(lambda n: f"Question number {n}")
    prompt = "Explain it."
    answer = "Like this."
    difficulty = Difficulty.MEDIUM
    status = QuestionStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tags(self, create: bool, extracted: list[Tag] | None, **kwargs: object) -> None:
        if create and extracted:
            self.tags.set(extracted)
