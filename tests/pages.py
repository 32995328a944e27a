"""What a browser without JavaScript sends: the section page's hidden fields with the values."""

import html
import re

HIDDEN = re.compile(r'<input type="hidden" name="([\w-]+-(?:version|original))" value="([^"]*)"')


def fill_in(client, url, values, **kwargs):
    """Open the section page, then send it with ``values`` as "Save answers" would: every
    question's version and shown value come along, fields not in ``values`` stay empty."""
    page = client.get(url).content.decode()
    hidden = {name: html.unescape(value) for name, value in HIDDEN.findall(page)}
    return client.post(url, {**hidden, **values}, **kwargs)
