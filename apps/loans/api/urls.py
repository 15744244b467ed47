"""Mounted at /api/v1/: loan-products/ (the active products) and loan-products/{id}/schedule-preview/."""

from rest_framework.routers import SimpleRouter

from apps.loans.api.views import LoanProductViewSet

router = SimpleRouter()
router.register("loan-products", LoanProductViewSet, basename="loan-product")
urlpatterns = router.urls
