"""Mounted at /api/v1/: loan-products/ (the active products), loan-products/{id}/schedule-preview/, and
loan-applications/ (a customer's own)."""

from rest_framework.routers import SimpleRouter

from apps.loans.api.applications import LoanApplicationViewSet
from apps.loans.api.views import LoanProductViewSet

router = SimpleRouter()
router.register("loan-products", LoanProductViewSet, basename="loan-product")
router.register("loan-applications", LoanApplicationViewSet, basename="loan-application")
urlpatterns = router.urls
