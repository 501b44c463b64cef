"""The web pages' assets are served by the service itself (city networks block CDNs): each
vendored file is found by the static files machinery, is the published file recorded in
`web/static/web/vendor/README.md` (its digest), and travels with its licence."""

import hashlib
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

VENDORED = {
    "web/vendor/htmx/htmx.min.js": (
        "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    ),
    "web/vendor/dads-tokens/tokens.css": (
        "ec3fb5b1e881d1bdf076feff29fe15a32269353c7a9cef40194f1eff0c3d7a90"
    ),
}


@pytest.mark.parametrize(("path", "digest"), VENDORED.items())
def test_each_vendored_asset_is_the_recorded_file_with_its_licence(path, digest):
    found = finders.find(path)
    assert found, f"{path} is not found by the static files finders"
    assert hashlib.sha256(Path(found).read_bytes()).hexdigest() == digest
    licence = Path(found).with_name("LICENSE")
    assert licence.exists() and licence.stat().st_size > 0
    readme = Path(finders.find("web/vendor/README.md")).read_text()
    assert digest in readme


def test_the_design_tokens_define_the_colours_and_type_the_pages_use():
    tokens = Path(finders.find("web/vendor/dads-tokens/tokens.css")).read_text()
    for name in ("--color-primitive-blue-900", "--font-size-16", "--color-neutral-white"):
        assert f"{name}:" in tokens, name
