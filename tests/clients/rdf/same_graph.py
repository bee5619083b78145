"""Parses the catalogue's Turtle, JSON-LD and RDF/XML with rdflib (Debian python3-rdflib, not ours) and says whether
the three are the same graph (isomorphic: equal up to blank-node names). Prints JSON {triples: {syntax: n}, same}.
Usage: /usr/bin/python3 same_graph.py FILE.ttl FILE.jsonld FILE.rdf"""
import json
import sys

from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic, graph_diff

graphs = {}
for path, syntax in zip(sys.argv[1:4], ("turtle", "json-ld", "xml")):
    graphs[syntax] = Graph().parse(path, format=syntax)

turtle = graphs["turtle"]
same = all(isomorphic(turtle, other) for other in graphs.values())
report = {"triples": {k: len(g) for k, g in graphs.items()}, "same": same}
if not same:
    for name, other in graphs.items():
        _, only_turtle, only_other = graph_diff(to_isomorphic(turtle), to_isomorphic(other))
        report[f"only_turtle_vs_{name}"] = [str(t) for t in list(only_turtle)[:5]]
        report[f"only_{name}"] = [str(t) for t in list(only_other)[:5]]
print(json.dumps(report))
