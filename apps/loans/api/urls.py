"""Mounted at /api/v1/: loan-products/ (the active products), loan-products/{id}/schedule-preview/,
loan-applications/ (a customer's own), and loans/ (booked loans: schedule, transactions, payoff-quote, repayments)."""

from rest_framework.routers import SimpleRouter

from apps.loans.api.applications import LoanApplicationViewSet
from apps.loans.api.loans import LoanViewSet
from apps.loans.api.views import LoanProductViewSet

router = SimpleRouter()
router.register("loan-products", LoanProductViewSet, basename="loan-product")
router.register("loan-applications", LoanApplicationViewSet, basename="loan-application")
router.register("loans", LoanViewSet, basename="loan")
urlpatterns = router.urls
