import pytest

from apa.accounts.models import User
from apa.accounts.services import user_add


@pytest.fixture
def council_users(db):
    users = {u.username: u for u in User.objects.filter(username__in=["kent_officer", "surrey_officer", "admin"])}
    users["kent_democratic"], _ = user_add(username="kent_democratic", role="democratic_services", authority="886",
                                           password="correct-horse-battery-staple")
    users["stockton_democratic"], _ = user_add(username="stockton_democratic", role="democratic_services",
                                               authority="808", password="correct-horse-battery-staple")
    return users


@pytest.fixture
def kent_2007(db):
    """Kent's published APA 2007 result, as shipped (the Kent cabinet paper's grades)."""
    from apa.publication.selectors import results_visible

    return results_visible().get(authority__dfe_code="886", framework__code="apa-2007")
