from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views as core_views
from core.forms import AdminLoginForm, LoginForm
from core.urlindex import indexed_include

# Every login goes through the login limiter (core.auth, core.ratelimit); the admin's form says
# how long to wait like the login page's.
admin.site.login_form = AdminLoginForm

DOMAIN_APPS = [
    "registry",
    "alerts",
    "coordination",
    "preparedness",
    "procurement",
    "donations",
    "volunteers",
    "liaison",
    "community",
    "compensation",
]

urlpatterns = [
    path("admin/login/", core_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        core_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    indexed_include("api/v1/", "core.api_urls"),
    indexed_include("", "core.urls"),
]
handler404 = "core.views.page_not_found"

for _app in DOMAIN_APPS:
    urlpatterns += [
        indexed_include("api/v1/", f"{_app}.api_urls"),
        indexed_include("", f"{_app}.urls"),
    ]

if settings.DEBUG:
    admin.site.site_header = "同舟 Tongzhou"
