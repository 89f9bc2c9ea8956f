"""The study pages. Each view is thin: a form or a query string in, one service or
selector call, a template out."""

from django.urls import path

from rehearse.web.views import accounts, authoring, bank, home, interviews, katas, progress, review

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    # accounts
    path("signup/", accounts.signup, name="signup"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/password/", accounts.password_change, name="password"),
    # the bank
    path("bank/", bank.topic_list, name="topics"),
    path("bank/<slug:slug>/", bank.topic_detail, name="topic"),
    path("bank/<slug:slug>/enrolment/", bank.enrolment, name="enrolment"),
    path("questions/", bank.question_list, name="questions"),
    path("questions/<int:pk>/", bank.question_detail, name="question"),
    # practice
    path("review/", review.review, name="review"),
    path("interviews/", interviews.interview_list, name="interviews"),
    path("interviews/<int:pk>/", interviews.interview_detail, name="interview"),
    path("progress/", progress.progress, name="progress"),
    # katas
    path("katas/", katas.kata_list, name="katas"),
    path("katas/<slug:slug>/", katas.kata_detail, name="kata"),
    path("katas/<slug:slug>/submissions/<int:pk>/", katas.submission_detail, name="submission"),
    # authoring and moderation
    path("author/", authoring.author_home, name="author"),
    path("author/new/", authoring.draft_new, name="draft-new"),
    path("author/<int:pk>/", authoring.draft_edit, name="draft-edit"),
    path("moderation/", authoring.moderation_queue, name="moderation"),
    path("moderation/<int:pk>/", authoring.moderation_decide, name="moderation-decide"),
]
