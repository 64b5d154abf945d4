from core import hooks
from core import permissions as perms


def navigation(request):
    """Navigation context: role flags and badges contributed by apps (e.g. unread alerts)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    nav = {"is_official": perms.is_official(user), "is_expert": perms.is_expert(user)}
    nav.update(hooks.merge("navigation_badges", request))
    return {"nav": nav}
