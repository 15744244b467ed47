"""Mounted at /api/v1/: KYC's sub-resources of a customer, customers/{id}/kyc/ and customers/{id}/documents/."""

from rest_framework.routers import SimpleRouter

from apps.kyc.api.views import CustomerKycViewSet

router = SimpleRouter()
router.register("customers", CustomerKycViewSet, basename="customer")
urlpatterns = router.urls
