"""The API's URLs, under /api/.

Every view here is exempt from Django's LoginRequiredMiddleware, which would send a system
calling with a token to the sign-in page; DRF's own IsAuthenticated permission requires
credentials instead, and answers 401 (bad or missing token) or 403 rather than redirecting.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from lantern.api.views import routes

app_name = "api"

router = SimpleRouter()
for prefix, viewset, basename in routes():
    router.register(prefix, viewset, basename=basename)


def _token_friendly(patterns: list[URLPattern]) -> list[URLPattern]:
    for pattern in patterns:
        login_not_required(pattern.callback)
    return patterns


urlpatterns = _token_friendly(
    [
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        *router.urls,
    ]
)
