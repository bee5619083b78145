// Validates an RDF graph (Turtle, from a file) against SHACL shapes files with Zazuko's rdf-validate-shacl, parsing
// with N3.js: neither is ours. Prints one JSON object: {conforms, triples, results: [{severity, focusNode, path,
// message, shape, constraint}]}. Usage: node validate.mjs DATA.ttl SHAPES.ttl [MORE_SHAPES.ttl ...]
import { readFileSync } from 'node:fs'
import { Parser, Store } from 'n3'
import SHACLValidator from 'rdf-validate-shacl'

function load (path) {
  const dataset = new Store()
  for (const quad of new Parser({ baseIRI: 'urn:x-base:' }).parse(readFileSync(path, 'utf8'))) dataset.add(quad)
  return dataset
}

const [data, ...shapeFiles] = process.argv.slice(2)
const shapes = new Store()
for (const file of shapeFiles) for (const quad of load(file)) shapes.add(quad)
const graph = load(data)
const report = await new SHACLValidator(shapes).validate(graph)
const local = term => term ? term.value.replace(/^.*[#/]/, '') : null
console.log(JSON.stringify({
  conforms: report.conforms,
  triples: graph.size,
  results: report.results.map(r => ({
    severity: local(r.severity),
    focusNode: r.focusNode?.value ?? null,
    path: r.path?.value ?? null,
    message: r.message.map(m => m.value).join('; '),
    shape: r.sourceShape?.value ?? null,
    constraint: local(r.sourceConstraintComponent)
  }))
}))
