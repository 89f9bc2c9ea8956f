"""URLs under /api/v1/katas/. Written out rather than routed: ``run`` has no trailing
slash (it is an operation, not a collection), and submissions nest under their kata."""

from django.urls import path

from rehearse.katas.api import views

katas = views.KataViewSet
submissions = views.SubmissionViewSet

urlpatterns = [
    path("", katas.as_view({"get": "list"}), name="kata-list"),
    path("<slug:slug>/", katas.as_view({"get": "retrieve"}), name="kata-detail"),
    path("<slug:slug>/run", katas.as_view({"post": "run"}), name="kata-run"),
    path(
        "<slug:slug>/submissions/",
        submissions.as_view({"get": "list", "post": "create"}),
        name="kata-submission-list",
    ),
    path(
        "<slug:slug>/submissions/<int:pk>/",
        submissions.as_view({"get": "retrieve"}),
        name="kata-submission-detail",
    ),
]
