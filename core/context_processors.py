from core import hooks
from core import permissions as perms
from core.display import display_name
from core.navigation import grouped

_CACHE_ATTR = "_tongzhou_nav"


def navigation(request):
    """Navigation context: role flags, the places of the person's roles (``navigation_links``
    hook, by ``order``) and, in ``groups``, those with the public places in the header's menus
    (core.navigation), the name they are shown by, and badges contributed by apps (unread
    alerts, pending invitations). Computed once per request: a page that renders several
    templates with the request does not pay for the badges' queries again."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"groups": grouped([], request.path)}}
    nav = getattr(request, _CACHE_ATTR, None)
    if nav is None:
        links = sorted(
            hooks.collect("navigation_links", user), key=lambda link: link.get("order", 50)
        )
        nav = {
            "is_official": perms.is_official(user),
            "is_expert": perms.is_expert(user),
            "links": links,
            "groups": grouped(links, request.path),
            "me": display_name(user),
        }
        nav.update(hooks.merge("navigation_badges", request))
        setattr(request, _CACHE_ATTR, nav)
    return {"nav": nav}
