"""Demo data of core: the platform superuser."""

from django.contrib.auth import get_user_model

from core.management.commands.seed_demo import DEMO_PASSWORD

# The people behind the demo accounts, as others see them (core.display shows the name with the
# organization and role, never the username). A Chinese full name goes whole in first_name, so
# get_full_name() reads "李建国", not "建国 李".
DEMO_NAMES = {
    "province": "张敏",
    "bureau": "李建国",
    "ngo": "王强",
    "charity": "刘芳",
    "expert": "陈志远",
    "expert2": "赵丽",
    "expert3": "周伟",
    "yaan_charity": "孙红",
    "shuguang": "吴静",
    "supplier_bluesky": "郑涛",
    "supplier_anju": "何敏",
    "evaluator": "钱立新",
}


def demo_user(username: str, *, email: str = "", superuser: bool = False):
    """Create or reset a demo account with the documented demo password and its person's name."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": email or f"{username}@demo.tongzhou.local"}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.is_staff = user.is_superuser = superuser
    if username in DEMO_NAMES:
        user.first_name, user.last_name = DEMO_NAMES[username], ""
    user.save()
    return user


def seed(stdout) -> None:
    demo_user("admin", superuser=True)
