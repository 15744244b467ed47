from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.payments.api.views import (
    BeneficiaryViewSet,
    OutgoingPaymentViewSet,
    PaymentReviewViewSet,
    TransferViewSet,
)
from apps.payments.api.webhooks import VelocityPayWebhookView

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="transfer")
router.register("payments/outgoing", OutgoingPaymentViewSet, basename="outgoing-payment")
router.register("payments/reviews", PaymentReviewViewSet, basename="payment-review")
router.register("beneficiaries", BeneficiaryViewSet, basename="beneficiary")
urlpatterns = [
    *router.urls,
    path("gateways/velocitypay/webhooks/", VelocityPayWebhookView.as_view(), name="velocitypay-webhook"),
]
