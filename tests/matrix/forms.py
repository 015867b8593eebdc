"""The body a browser would post from a page's form: its fields with the values they show.

The POST matrix builds its admin bodies this way, as the superuser, so a change form posts every
field and inline it has today (a field added tomorrow is posted too) with one value changed.
"""

from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "image", "file", "reset"}


class _FormReader(HTMLParser):
    def __init__(self, form_id_suffix: str):
        super().__init__(convert_charrefs=True)
        self.suffix = form_id_suffix
        self.inside = False
        self.depth = 0
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: str | None = None
        self._option_selected = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.inside:
                self.depth += 1
            elif (attrs.get("id") or "").endswith(self.suffix):
                self.inside, self.depth = True, 0
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in SKIPPED_INPUTS:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
            else:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in attrs
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select:
            self._option, self._option_selected = attrs.get("value", ""), "selected" in attrs
            if self._select_first is None:
                self._select_first = self._option
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            if self.depth:
                self.depth -= 1
            else:
                self.inside = False
        elif tag == "option" and self._select and self._option is not None:
            if self._option_selected:
                self.fields.append((self._select, self._option))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            # A single choice with nothing selected is sent as its first option, like a browser.
            if not (self._select_chosen or self._select_multiple or self._select_first is None):
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def form_body(html: str, *, form_id_suffix: str = "_form") -> dict[str, str | list[str]]:
    """The fields of the page's form whose id ends with `form_id_suffix` (the admin's change form).

    An inline's empty template (`__prefix__`) is left out, as a browser leaves it out.
    """
    reader = _FormReader(form_id_suffix)
    reader.feed(html)
    body: dict[str, str | list[str]] = {}
    for name, value in reader.fields:
        if "__prefix__" in name:
            continue
        if name in body:
            previous = body[name]
            body[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            body[name] = value
    return body
