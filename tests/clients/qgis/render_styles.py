"""QGIS as a MapLibre-style and vector-tile client (tests run this with Debian's python3 and python3-qgis).

For each layer: fetches its MapLibre style from the server (GET /styles/{kind}?layer={id}), converts it with QGIS's own
importer (QgsMapBoxGlStyleConverter, what "Load style from MapLibre/Mapbox GL JSON" runs), opens the layer's XYZ vector
tiles (/tiles/{id}/{z}/{x}/{y}.mvt) as a QgsVectorTileLayer with that renderer and labeling, renders a box to an image
with and without the labels, and counts the pixels near each colour asked for. Prints one JSON line.
Usage: render_styles.py <server URL> <out dir> <min lon> <min lat> <max lon> <max lat> <kind>:<layer id>:<hex colour>,<hex colour>... ...
"""
import json
import os
import sys
import urllib.parse
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsMapBoxGlStyleConverter,  # noqa: E402
                       QgsMapRendererSequentialJob, QgsMapSettings, QgsProject, QgsRectangle, QgsVectorTileLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402

server, out = sys.argv[1].rstrip("/"), sys.argv[2]
box = QgsRectangle(*map(float, sys.argv[3:7]))
app = QgsApplication([], False)
app.initQgis()
mercator = QgsCoordinateReferenceSystem("EPSG:3857")
extent = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()).transformBoundingBox(box)
TOLERANCE = 40  # RGB distance: antialiased edges and text still count, neighbouring style colours do not


def render(layer, path):
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(mercator)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(768, 768))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage().convertToFormat(QImage.Format_RGB32)
    image.save(path)
    return image


def count(image, colours):
    data = bytes(image.constBits().asarray(image.sizeInBytes()))  # BGRA per pixel
    wanted = [QColor(c) for c in colours]
    counts = [0] * len(wanted)
    seen = {}
    for i in range(0, len(data), 4):
        key = data[i:i + 3]
        seen[key] = seen.get(key, 0) + 1
    for key, n in seen.items():
        b, g, r = key[0], key[1], key[2]
        for j, c in enumerate(wanted):
            if (r - c.red()) ** 2 + (g - c.green()) ** 2 + (b - c.blue()) ** 2 <= TOLERANCE ** 2:
                counts[j] += n
    return dict(zip(colours, counts))


results = {}
for spec in sys.argv[7:]:
    kind, layer_id, colours = spec.split(":")
    colours = colours.split(",")
    style = json.load(urllib.request.urlopen(f"{server}/styles/{kind}?layer={layer_id}"))
    converter = QgsMapBoxGlStyleConverter()
    converter.convert(style)
    tiles = f"{server}/tiles/{layer_id}/{{z}}/{{x}}/{{y}}.mvt"
    layer = QgsVectorTileLayer(f"type=xyz&url={urllib.parse.quote(tiles, safe=':/')}&zmin=0&zmax=16", kind)
    if not layer.isValid():
        print(json.dumps({"error": f"vector tile layer for {kind} is not valid"}), flush=True)
        os._exit(1)
    renderer, labeling = converter.renderer(), converter.labeling()
    styles = [s.styleName() for s in renderer.styles()]
    label_fields = [s.labelSettings().fieldName for s in labeling.styles()] if labeling else []
    label_layers = [s.layerName() for s in labeling.styles()] if labeling else []
    layer.setRenderer(renderer)  # the layer owns renderer and labeling from here
    labelled = render(layer, os.path.join(out, f"{kind}.png")) if labeling is None else None
    if labeling is not None:
        layer.setLabeling(labeling)
        labelled = render(layer, os.path.join(out, f"{kind}.png"))
        layer.setLabeling(None)
    unlabelled = render(layer, os.path.join(out, f"{kind}-no-labels.png"))
    results[kind] = {
        "warnings": converter.warnings(),
        "styles": styles,
        "labelFields": label_fields,
        "labelLayers": label_layers,
        "pixels": count(labelled, colours),
        "pixelsWithoutLabels": count(unlabelled, colours),
    }

print(json.dumps(results), flush=True)
# QgsApplication's own teardown can crash after the work is done; the answer is printed, so leave at once.
os._exit(0)
