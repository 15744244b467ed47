"""Mounted at /api/v1/: accounts/ (customers: their own; staff: their branch's)."""

from rest_framework.routers import SimpleRouter

from apps.accounts.api.views import AccountViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
urlpatterns = router.urls
