"""rehearse's URLs plus the two baselines, for bench/question_list.py only."""

from django.urls import include, path

from bench.comparison_views import TextbookQuestionList, plain_question_list

urlpatterns = [
    path("bench/plain/", plain_question_list),
    path("bench/textbook/", TextbookQuestionList.as_view()),
    path("", include("config.urls")),
]
