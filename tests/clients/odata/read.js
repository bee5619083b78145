// Reads URLs of an OData service as an outside client would, with Apache Olingo's ts-odatajs: the $metadata
// document (CSDL XML, through the library's metadata parser), then each URL through its default handler, which
// parses JSON (entities, collections, property values) and text ($count, $value). Prints one JSON line:
// {"types": {"EntitySet": {"Property": "Edm.Type", ...}, ...}, "results": [{"url": ..., "data": ...} or {"url": ..., "error": ...}]}
// Usage: node read.js <service root, e.g. http://127.0.0.1:5080/odata/> [relative URL ...]
// An API key in SR_API_KEY is sent as a bearer token.
'use strict';
const odatajs = require('ts-odatajs');

const [root, ...urls] = process.argv.slice(2);
if (!root) {
  console.error('usage: node read.js <service root> [relative URL ...]');
  process.exit(2);
}
const headers = process.env.SR_API_KEY ? { Authorization: `Bearer ${process.env.SR_API_KEY}` } : {};

function read(requestUri, handler) {
  return new Promise((resolve, reject) =>
    odatajs.oData.read({ requestUri, headers: handler ? { ...headers } : { ...headers, Accept: 'application/json' } },
      (data) => resolve(data),
      (error) => reject(new Error(`${error.message} ${error.response ? error.response.statusCode + ' ' + error.response.body : ''}`)),
      handler));
}

(async () => {
  const metadata = await read(root + '$metadata', odatajs.oData.metadataHandler);
  const schema = metadata.dataServices.schema[0];
  const typeOf = Object.fromEntries(schema.entityType.map((t) => [`${schema.namespace}.${t.name}`, t]));
  const types = {};
  for (const set of [].concat(schema.entityContainer)[0].entitySet) {
    types[set.name] = Object.fromEntries(typeOf[set.entityType].property.map((p) => [p.name, p.type]));
  }
  const results = [];
  for (const url of urls) {
    try {
      results.push({ url, data: await read(root + url) });
    } catch (error) {
      results.push({ url, error: error.message });
    }
  }
  console.log(JSON.stringify({ types, results }));
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
