"""Template context shared by every page."""

from django.http import HttpRequest
from django.urls import reverse

from hiring.selectors import roles_of

# (role, label, url name): the header's navigation, shown for the roles the user holds.
NAV = [
    ("hr", "HR workspace", "hiring:hr_home"),
    ("hr", "Talent pool", "certificates:talent_pool"),
    ("sme", "My reviews", "assessments:sme_home"),
    ("hiring_manager", "My certificates", "certificates:manager_home"),
    ("candidate", "My applications", "hiring:candidate_home"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(user)
    path = request.path
    urls = [(label, reverse(name)) for role, label, name in NAV if role in roles]
    # The current item is the longest address the page is under (/hr/talent-pool/ is also under /hr/).
    current = max((url for _, url in urls if path.startswith(url)), key=len, default=None)
    items = [{"label": label, "url": url, "current": url == current} for label, url in urls]
    return {"nav_items": items, "user_roles": roles}
