"""QGIS as an OGC API - Features client (tests run this with Debian's python3 and python3-qgis).

Opens one collection with QGIS's own OAPIF provider, exactly as the desktop's "Add WFS / OGC API - Features layer"
does, reads every feature and then only those in a box (QGIS sends the box as bbox=), and prints what it saw as JSON.
Usage: read_oapif.py <landing page URL> <collection id> <minx> <miny> <maxx> <maxy>
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsFeatureRequest, QgsRectangle, QgsVectorLayer  # noqa: E402

url, collection = sys.argv[1], sys.argv[2]
box = QgsRectangle(*map(float, sys.argv[3:7]))
app = QgsApplication([], False)
app.initQgis()
def open_layer():
    return QgsVectorLayer(f"url='{url}' typename='{collection}' restrictToRequestBBOX='1'", collection, "OAPIF")


layer = open_layer()
if not layer.isValid():
    print(json.dumps({"valid": False, "error": layer.dataProvider().error().summary() if layer.dataProvider() else ""}))
    sys.exit(1)
features = list(layer.getFeatures())
# A map panned to the box, in a fresh layer: with restrictToRequestBBOX QGIS asks the server for that box only.
in_box = list(open_layer().getFeatures(QgsFeatureRequest().setFilterRect(box)))
print(json.dumps({
    "valid": True,
    "crs": layer.crs().authid(),
    "geometryType": layer.geometryType(),
    "fields": [f.name() for f in layer.fields()],
    "count": len(features),
    "validGeometries": sum(1 for f in features if f.hasGeometry() and f.geometry().isGeosValid()),
    "extent": [layer.extent().xMinimum(), layer.extent().yMinimum(), layer.extent().xMaximum(), layer.extent().yMaximum()],
    "inBox": len(in_box),
    "wardnums": sorted(int(f["wardnum"]) for f in features if "wardnum" in layer.fields().names() and f["wardnum"] is not None),
}), flush=True)
# QgsApplication's own teardown can crash after the work is done; the answer is printed, so leave at once.
os._exit(0)
