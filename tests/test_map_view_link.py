"""AppTest of the map view in the share link (view=<area>_<lon>_<lat>_<zoom>) and of the browser map's payload."""

from __future__ import annotations

import json

import pytest

from tests.apptest import open_page

pytestmark = pytest.mark.realdata


def map_data(at) -> dict:
    return json.loads(at.get("bidi_component")[-1].proto.json)


def test_a_link_with_a_view_opens_that_view_on_that_map_only(layers):
    at = open_page("views/map.py", prov="12", view="map-12_103.25000_22.30000_9.50")
    data = map_data(at)
    assert data["url_view"] == {"lon": 103.25, "lat": 22.3, "zoom": 9.5}
    assert at.query_params["view"] == "map-12_103.25000_22.30000_9.50" and at.query_params["prov"] == "12"
    # the same view key on another page's map is not applied there, and the link drops it
    at.switch_page("views/overview.py").run()
    assert not at.exception
    assert map_data(at)["url_view"] is None and "view" not in at.query_params


def test_links_without_a_view_or_with_a_bad_one_open_as_before(layers):
    plain = open_page("views/map.py", prov="12")
    assert map_data(plain)["url_view"] is None and dict(plain.query_params) == {"prov": "12"}
    for bad in ("map-12_500_22_9", "map-12_103.2_22.3", "ov-12_103_22_9;alert(1)", "x"):
        at = open_page("views/map.py", prov="12", view=bad)
        assert map_data(at)["url_view"] is None and "view" not in at.query_params, bad
        assert at.query_params["prov"] == "12"


def test_the_map_payload_carries_bounds_labels_and_context(layers):
    at = open_page("views/map.py")
    data = map_data(at)
    lo_lon, lo_lat, hi_lon, hi_lat = data["bounds"]
    assert lo_lat < 8 and hi_lon > 112  # Trường Sa and Hoàng Sa inside the fitted area
    assert data["labels"].endswith("labels_national.json") and data["neighbours"].endswith("neighbours.mesh")
    assert set(data["context"]) == {"sea", "neighbours"}  # nothing of Vietnam outside the selection
    province = open_page("views/map.py", prov="12")
    assert set(map_data(province)["context"]) == {"sea", "neighbours", "outside"}
    assert map_data(province)["labels"].endswith("labels_12.json")
