"""Library test helpers: fixture packs and a way to write altered copies of them."""

import shutil
from pathlib import Path

import pytest
import yaml

from tailorkit.library.services import pack_load

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_path():
    return lambda name: FIXTURES / name


@pytest.fixture
def pack_copy(tmp_path):
    """Copy a fixture pack to tmp_path, apply ``change(manifest_dict)``, return the folder."""

    def _copy(name, change=None, *, raw=None):
        target = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(FIXTURES / name, target)
        manifest = target / "pack.yaml"
        if raw is not None:
            manifest.write_text(raw, encoding="utf-8")
        elif change is not None:
            data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
            change(data)
            manifest.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return target

    return _copy


@pytest.fixture
def strategies(db):
    return pack_load(path=FIXTURES / "mini-strategies").pack


@pytest.fixture
def barriers(db):
    return pack_load(path=FIXTURES / "mini-barriers").pack


@pytest.fixture
def staff(db):
    from tailorkit.conftest import make_user

    user = make_user("sam@example.org", "Sam Staff")
    user.is_staff = True
    user.save()
    return user
