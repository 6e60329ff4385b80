"""Maps: what they count, that they never show a full postcode, and that the images parse."""

import io
import json
from xml.etree import ElementTree

from django.urls import reverse
from PIL import Image

from lantern.intelligence import mapdraw, maps
from lantern.intelligence.maps import Flow, MapLayers, Point


def test_found_points_are_sector_centroids_with_counts(world, story):
    layers = maps.found_and_hotspots(world.sam)
    by_code = {p.code: p for p in layers.points}
    assert by_code["SS1 1"].found == 2
    assert by_code["SS1 2"].hotspots == 1  # the cuckooed flat
    assert all(" " not in p.code or len(p.code.split(" ")[1]) == 1 for p in layers.points)


def test_found_points_by_district(world, story):
    layers = maps.found_and_hotspots(world.sam, resolution=maps.DISTRICT)
    assert {p.code: p.found for p in layers.points}["SS1"] == 2


def test_map_json_has_no_full_postcodes(world, story):
    text = str(maps.found_and_hotspots(world.sam).as_json())
    assert "SS1 1AA" not in text and "SS1 1AB" not in text and "SS1 2AA" not in text


def test_flows_run_from_home_authority_to_where_found(world, story):
    layers = maps.flows(world.sam)
    assert [(f.origin_name, f.destination_name, f.count) for f in layers.flows] == [
        ("Haringey", "Southend-on-Sea", 2)
    ]


def test_flows_for_a_region_keep_flows_touching_it(world, story):
    london = maps.la_index()[world.haringey.ons_code].region_code
    assert maps.flows(world.sam, region=london).flows
    north_east = next(code for code, name in maps.regions() if name == "North East")
    assert maps.flows(world.sam, region=north_east).flows == []


def test_choropleth_by_where_missing_from(world, story):
    layers = maps.episodes_by_la(world.sam)
    assert layers.choropleth == {world.haringey.ons_code: 2}


def test_unrelated_organisation_maps_are_empty(world, story):
    assert maps.flows(world.bella).flows == []
    assert all(p.found == 0 for p in maps.found_and_hotspots(world.bella).points)
    assert maps.episodes_by_la(world.priya).choropleth == {}


LAYERS = MapLayers(
    title="Test",
    choropleth={"E09000014": 3},
    points=[Point("SS1 1", 51.54, 0.71, 2, 1)],
    flows=[
        Flow(
            "E09000014", "Haringey", "E06000033", "Southend-on-Sea", 2, (51.59, -0.11), (51.55, 0.7)
        )
    ],
)


def test_render_svg_is_valid_svg():
    root = ElementTree.fromstring(mapdraw.render_svg(LAYERS))  # noqa: S314 - our own output
    assert root.tag.endswith("svg")


def test_render_png_is_a_png():
    image = Image.open(io.BytesIO(mapdraw.render_png(LAYERS)))
    assert image.format == "PNG" and image.width > 300


def test_region_map_renders():
    london = maps.la_index()["E09000014"].region_code
    root = ElementTree.fromstring(mapdraw.render_svg(MapLayers(title="London", region=london)))  # noqa: S314 - our own output
    assert root.tag.endswith("svg")


def test_map_image_view_serves_svg_and_is_audited(client, world, story):
    client.force_login(world.sam)
    response = client.get(reverse("intelligence:map_image", kwargs={"kind": "flows", "fmt": "svg"}))
    assert response["Content-Type"] == "image/svg+xml"
    ElementTree.fromstring(response.content)  # noqa: S314 - our own output


def test_flows_page_has_its_heading_and_figures(client, world, story):
    client.force_login(world.sam)
    response = client.get(reverse("intelligence:map_flows"))
    text = response.content.decode()
    assert "<h1>County lines flows</h1>" in text
    assert "Southend-on-Sea" in text
    block = text.split('id="intel-map-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert data["kind"] == "flows"
    assert data["flows"][0]["to"] == "Southend-on-Sea"


def test_boundaries_are_geojson(client, world):
    client.force_login(world.sam)
    response = client.get(reverse("intelligence:boundaries"), {"region": "E12000007"})
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 33  # the London boroughs and the City
