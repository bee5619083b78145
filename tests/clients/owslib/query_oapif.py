"""OWSLib (Debian's python3-owslib) as an OGC API - Features client, driven by the tests.

Reads the landing page, the collections, one collection, its queryables and items (paged with limit, searched with
q=), asks for a query the way OWSLib's cql= sends it (a CQL-JSON document POSTed to /items) and records the answer,
then filters with filter= (CQL2 text). Prints what it saw as one JSON line.
Usage: query_oapif.py <landing page URL> <collection id> <q terms> <text field> <CQL2 text filter>
"""
import json
import sys

from owslib.ogcapi.features import Features

url, collection, q, field, cql_text = sys.argv[1:6]
api = Features(url)
collections = api.feature_collections()
described = api.collection(collection)
queryables = api.collection_queryables(collection)
first = api.collection_items(collection, limit=5)
searched = api.collection_items(collection, q=q, limit=1000)
filtered = api.collection_items(collection, filter=cql_text, limit=1000)
try:
    api.collection_items(collection, cql={"eq": [{"property": field}, "x"]})
    posted = {"refused": False}
except RuntimeError as e:  # OWSLib raises the server's answer on any status but 200
    posted = {"refused": True, "answer": json.loads(str(e))}

print(json.dumps({
    "title": api.links is not None and described.get("title"),
    "collections": collections,
    "queryables": sorted(queryables.get("properties", {}).keys()),
    "firstPage": {"returned": first["numberReturned"], "matched": first.get("numberMatched"),
                  "next": any(link.get("rel") == "next" for link in first.get("links", []))},
    "searched": {"matched": searched.get("numberMatched"), "values": [f["properties"].get(field) for f in searched["features"]]},
    "filtered": {"matched": filtered.get("numberMatched"), "ids": sorted(f["id"] for f in filtered["features"])},
    "posted": posted,
}), flush=True)
