"""What an attacker, a proxy, a bad workbook and a crash found (issue 12): each case as it
arrived from outside, and the answer now."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
    "/\r\n//evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)", "\\\\evil.example",
])
def test_sign_in_never_redirects_off_the_site(client, users, target):
    response = client.post("/login", query_string={"next": target},
                           data={"login": users["viewer"].login, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith(("//", "/\\")))
    assert "evil" not in location and "javascript" not in location


def test_sign_in_still_returns_to_the_page_asked_for(client, users):
    response = client.post("/login", query_string={"next": "/issues?state=open"},
                           data={"login": users["viewer"].login, "password": PASSWORD})
    assert response.headers["Location"] == "/issues?state=open"


@pytest.mark.parametrize("url", [
    "/issues?page=²", "/issues?unit=99999999999999999999", "/issues?unit=²",
    "/projects/A1?year=²", "/projects/A1?year=99999999999999999999",
    "/briefs/2026-03.pdf?revision=²", "/admin/audit?user=²", "/admin/audit?page=99999999999999999999",
])
def test_bad_numbers_in_addresses_answer_400_not_500(client, users, login, make_project, url):
    make_project("A1", plan=1000)
    login(users["supervisor"])
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)


def test_filters_with_bad_numbers_are_ignored_in_the_register(client, users, login, make_project):
    make_project("A1", plan=1000)
    login(users["supervisor"])
    for url in ("/projects?unit=²", "/projects?lead=99999999999999999999", "/projects?page=²"):
        response = client.get(url)
        assert response.status_code == 200 and "A1" in response.get_data(as_text=True), url


def test_a_superscript_version_in_a_grid_save_is_refused_with_a_message(client, users, login,
                                                                        make_project):
    make_project("A1", plan=1000, lead=users["member"])
    login(users["member"])
    response = client.post("/report/2026-01/A1", data={"amount": "10", "version": "²"})
    assert response.status_code == 422
    assert "页面数据已失效" in response.get_data(as_text=True)
