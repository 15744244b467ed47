from rest_framework.routers import SimpleRouter

from apps.payments.api.views import TransferViewSet

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="transfer")
urlpatterns = router.urls
