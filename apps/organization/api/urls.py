from rest_framework.routers import SimpleRouter

from apps.organization.api.views import ApprovalRequestViewSet

router = SimpleRouter()
router.register("", ApprovalRequestViewSet, basename="approval-request")
urlpatterns = router.urls
