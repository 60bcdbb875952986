"""``[plugin.mapping]`` is checked when the lab starts: a mistyped key or a bad value stops it with
one line naming the key; good values reach the map."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit.config import ConfigError, load_settings
from labkit.plugins import Plugins
from labkit.testing import RunningLab, write_lab


@pytest.mark.parametrize(("table", "message"), [
    ({"proposals_per_houre": 3}, "[plugin.mapping] proposals_per_houre: unknown setting"),
    ({"zoom": "close"}, "[plugin.mapping] zoom"),
    ({"center": [-23.5]}, "[plugin.mapping] center"),
])
def test_a_wrong_mapping_setting_stops_the_lab_with_one_line(tmp_path: Path, table: dict, message: str) -> None:
    write_lab(tmp_path, ["mapping"], {"plugin.mapping": table})
    with pytest.raises(ConfigError) as caught:
        Plugins(load_settings(tmp_path, {}))
    assert message in str(caught.value) and "\n" not in str(caught.value)


async def test_the_map_opens_where_the_settings_say(make_lab) -> None:
    lab: RunningLab = await make_lab(plugins=["mapping"], settings={"plugin.mapping": {"center": [38.72, -9.14], "zoom": 13}})
    page = (await lab.client().get("/mapping/map")).text
    assert 'data-center="38.72,-9.14"' in page and 'data-zoom="13"' in page
