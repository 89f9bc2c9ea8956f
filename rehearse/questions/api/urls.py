from rest_framework.routers import DefaultRouter

from rehearse.questions.api.views import QuestionViewSet, TopicViewSet

router = DefaultRouter()
router.register("topics", TopicViewSet, basename="topic")
router.register("questions", QuestionViewSet, basename="question")

urlpatterns = router.urls
