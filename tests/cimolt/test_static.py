"""The production build of the static files: hashed names, and the NL Design System CSS in it."""

from django.core.management import call_command


def test_collectstatic_builds_hashed_nl_design_system_styles(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "cimolt.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in (
        "nlds/design-tokens/index.css",
        "nlds/component-library-css/index.css",
        "css/cimolt.css",
    ):
        assert f'"{name}"' in manifest
