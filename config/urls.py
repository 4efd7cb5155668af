from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(("config.api", "api"))),
    path("", include("forecasts.urls")),
]

# JSON under /api/, Django's pages elsewhere.
handler400 = "config.error_views.bad_request"
handler500 = "config.error_views.server_error"
