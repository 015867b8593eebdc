from urllib.parse import urlsplit

OK = "ok"
REDIRECT = "redirect"
LOGIN = "login"
NOT_FOUND = "404"
FORBIDDEN = "403"
NOT_ALLOWED = "405"

LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


def outcome_of(response) -> str:
    code = response.status_code
    if code in (301, 302, 303):
        # The login page itself, not a page below it (/accounts/login/code/ is another step).
        return LOGIN if urlsplit(response["Location"]).path in LOGIN_PAGES else REDIRECT
    return {404: NOT_FOUND, 403: FORBIDDEN, 405: NOT_ALLOWED}.get(code, OK if code < 300 else str(code))
