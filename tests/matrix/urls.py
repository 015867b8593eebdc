"""Every URL pattern of the project, with a name to look it up in the policy table."""

from django.urls import URLPattern, URLResolver, get_resolver


def url_patterns() -> list[tuple[str, str]]:
    """(key, route) for every pattern: the key is the URL name, or the route when unnamed."""
    found = []

    def walk(resolver, prefix: str, namespace: str):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                key = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else route
                found.append((key, route))

    walk(get_resolver(), "", "")
    return found
