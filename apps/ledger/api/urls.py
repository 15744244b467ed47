from rest_framework.routers import SimpleRouter

from apps.ledger.api.views import JournalEntryViewSet, LedgerAccountViewSet

router = SimpleRouter()
router.register("accounts", LedgerAccountViewSet, basename="ledger-account")
router.register("entries", JournalEntryViewSet, basename="journal-entry")
urlpatterns = router.urls
