"""Mounted at /api/v1/: loan-products/ (the active products) and loan-products/{id}/schedule-preview/; loans/
(booked loans: schedule, transactions, payoff-quote, repayments)."""

from rest_framework.routers import SimpleRouter

from apps.loans.api.loans import LoanViewSet
from apps.loans.api.views import LoanProductViewSet

router = SimpleRouter()
router.register("loan-products", LoanProductViewSet, basename="loan-product")
router.register("loans", LoanViewSet, basename="loan")
urlpatterns = router.urls
