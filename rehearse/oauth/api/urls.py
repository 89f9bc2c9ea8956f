from rest_framework.routers import SimpleRouter

from rehearse.oauth.api.views import ApplicationViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="oauth-application")

urlpatterns = router.urls
