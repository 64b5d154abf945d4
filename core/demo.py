"""Demo data of core: the platform superuser."""

from django.contrib.auth import get_user_model

from core.management.commands.seed_demo import DEMO_PASSWORD


def demo_user(username: str, *, email: str = "", superuser: bool = False):
    """Create or reset a demo account with the documented demo password."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": email or f"{username}@demo.tongzhou.local"}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.is_staff = user.is_superuser = superuser
    user.save()
    return user


def seed(stdout) -> None:
    demo_user("admin", superuser=True)
