"""The map's own settings: with tiles switched off it still sets the zoom limit the cluster plugin needs."""

from pages.maps import Tiles, base_map


def test_a_map_without_tiles_still_has_a_max_zoom():
    html = base_map(Tiles(url=None, attribution=""), (54.57, -1.23)).get_root().render()
    assert '"maxZoom": 19' in html
    assert "tile.openstreetmap.org" not in html
