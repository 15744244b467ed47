from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api.auth import ApiTokenDetailView, ApiTokenListView, LogoutAllView, LogoutView, ObtainTokenView
from config.health import healthz

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/tokens/", ApiTokenListView.as_view(), name="auth-token-list"),
    path("auth/tokens/<str:token_key>/", ApiTokenDetailView.as_view(), name="auth-token-detail"),
    path("ledger/", include("apps.ledger.api.urls")),
    path("approvals/", include("apps.organization.api.urls")),
    path("", include("apps.payments.api.urls")),  # transfers/
    path("", include("apps.customers.api.urls")),  # customers/, onboarding/, me/
    path("", include("apps.kyc.api.urls")),  # customers/{id}/kyc/, customers/{id}/documents/
    path("", include("apps.accounts.api.urls")),  # accounts/
    path("", include("apps.loans.api.urls")),  # loan-products/
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

# Under /api/ these answer with problem details (config/api/http_problems.py); elsewhere with Django's pages.
handler400 = "config.api.http_problems.bad_request"
handler403 = "config.api.http_problems.permission_denied"
handler404 = "config.api.http_problems.page_not_found"
handler500 = "config.api.http_problems.server_error"

admin.site.site_header = "OgPgy back office"
admin.site.site_title = "OgPgy back office"
admin.site.index_title = "Back office"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
