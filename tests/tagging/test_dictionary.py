"""The tagger's dictionary caches: named by the versions of the packages they are built from."""

from __future__ import annotations

from importlib import metadata

import pytest

from bot.tagging.dictionary import installed_version


@pytest.mark.parametrize("name", ["jieba", "opencc", "pypinyin"])
def test_installed_version_is_the_version_importlib_metadata_gives(name: str) -> None:
    assert installed_version(name) == metadata.version(name)


def test_a_package_without_a_dist_info_beside_it_asks_importlib_metadata() -> None:
    # `bot` is this project's own package, installed editable: its dist-info is elsewhere, under another name.
    with pytest.raises(metadata.PackageNotFoundError):
        installed_version("bot")
