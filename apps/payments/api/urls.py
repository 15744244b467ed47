from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.payments.api.views import OutgoingPaymentViewSet, TransferViewSet
from apps.payments.api.webhooks import VelocityPayWebhookView

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="transfer")
router.register("payments/outgoing", OutgoingPaymentViewSet, basename="outgoing-payment")
urlpatterns = [
    *router.urls,
    path("gateways/velocitypay/webhooks/", VelocityPayWebhookView.as_view(), name="velocitypay-webhook"),
]
