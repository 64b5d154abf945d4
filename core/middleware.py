"""Small middleware: security headers, ?lang= switching, request context for the audit trail."""

from urllib.parse import unquote_plus

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from core.audit import current_ip
from core.http import client_ip


class SecurityHeadersMiddleware:
    """Content-Security-Policy allowing no third-party origin (nothing is fetched from a CDN)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            current_ip.reset(token)
        csp = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if csp and not request.path.startswith(("/api/docs", "/admin")):
            response.headers.setdefault("Content-Security-Policy", csp)
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """zh-Hans unless the person chose otherwise (language cookie, set by the switcher or ?lang=).

    The browser's Accept-Language is deliberately ignored: the platform's working language is
    Chinese, and an English-language browser on a bureau's computer should not change that.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        codes = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in codes else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class QueryStringLanguageMiddleware:
    """``?lang=en`` (or zh-hans) switches the language for this request and remembers it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = request.GET.get("lang")
        codes = {code for code, _name in settings.LANGUAGES}
        if lang in codes:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        if lang in codes:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax", max_age=365 * 24 * 3600
            )
        return response


class RejectNullBytesMiddleware:
    """A NUL byte in the path, query string or cookies is refused with 400.

    PostgreSQL cannot store or compare strings containing NUL, so such input would otherwise
    surface as a 500 deep inside a query (a session lookup, a filter, an object lookup).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if (
            "\x00" in request.path
            or "\x00" in query
            or any("\x00" in k or "\x00" in v for k, v in request.COOKIES.items())
        ):
            return JsonResponse(
                {"detail": "NUL characters are not allowed in requests.", "code": "bad_request"},
                status=400,
            )
        return self.get_response(request)
