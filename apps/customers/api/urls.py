"""Mounted at /api/v1/: customers/ (staff), onboarding/ (channels), me/ (a customer's own profile), and the channel
login's public endpoints: enrolment/redeem/, password-reset/, password-reset/redeem/ (api/channel_views.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.customers.api.channel_views import (
    PasswordResetRequestView,
    RedeemEnrolmentCodeView,
    RedeemPasswordResetCodeView,
)
from apps.customers.api.views import CustomerViewSet, OnboardingView, OwnProfileView

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
urlpatterns = [
    path("onboarding/", OnboardingView.as_view(), name="onboarding"),
    path("me/", OwnProfileView.as_view(), name="me"),
    path("enrolment/redeem/", RedeemEnrolmentCodeView.as_view(), name="enrolment-redeem"),
    path("password-reset/", PasswordResetRequestView.as_view(), name="password-reset"),
    path("password-reset/redeem/", RedeemPasswordResetCodeView.as_view(), name="password-reset-redeem"),
    *router.urls,
]
