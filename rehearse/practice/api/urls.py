from django.urls import path
from rest_framework.routers import SimpleRouter

from rehearse.practice.api import views

router = SimpleRouter()
router.register("enrolments", views.EnrolmentViewSet, basename="practice-enrolment")
router.register("cards", views.CardViewSet, basename="practice-card")
router.register("reviews", views.ReviewViewSet, basename="practice-review")
router.register("interviews", views.InterviewViewSet, basename="practice-interview")

urlpatterns = [
    path("due/", views.DueQueueView.as_view(), name="practice-due"),
    path("progress/topics/", views.TopicMasteryView.as_view(), name="practice-progress-topics"),
    path("progress/activity/", views.ActivityView.as_view(), name="practice-progress-activity"),
    path("progress/streak/", views.StreakView.as_view(), name="practice-progress-streak"),
    path("progress/forecast/", views.ForecastView.as_view(), name="practice-progress-forecast"),
    path("export/", views.ExportView.as_view(), name="practice-export"),
    path("export/deck.apkg", views.AnkiPackageView.as_view(), name="practice-export-apkg"),
    path("export/deck.csv", views.AnkiCSVView.as_view(), name="practice-export-csv"),
    *router.urls,
]
