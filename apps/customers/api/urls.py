"""Mounted at /api/v1/: customers/ (staff), onboarding/ (channels), me/ (a customer's own profile)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.customers.api.views import CustomerViewSet, OnboardingView, OwnProfileView

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
urlpatterns = [
    path("onboarding/", OnboardingView.as_view(), name="onboarding"),
    path("me/", OwnProfileView.as_view(), name="me"),
    *router.urls,
]
