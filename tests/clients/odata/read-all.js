// Reads an OData service as an outside client would, with Apache Olingo's ts-odatajs: the $metadata document, then
// every page of one entity set by following @odata.nextLink. Prints one JSON line:
// {"entitySets": [...], "pages": N, "count": N, "ids": [...], "first": {...}}
// Usage: node read-all.js <service root, e.g. http://127.0.0.1:5080/odata/> <entity set> [query string] [max page size]
'use strict';
const odatajs = require('ts-odatajs');

const [root, set, query = '', maxPageSize] = process.argv.slice(2);
const headers = { Accept: 'application/json' };
if (maxPageSize) headers.Prefer = `odata.maxpagesize=${maxPageSize}`;
if (!root || !set) {
  console.error('usage: node read-all.js <service root> <entity set> [query]');
  process.exit(2);
}

function read(requestUri, handler) {
  return new Promise((resolve, reject) =>
    odatajs.oData.read(handler ? { requestUri } : { requestUri, headers },
      resolve, (error) => reject(new Error(`${requestUri}: ${error.message} ${error.response ? error.response.statusCode + ' ' + error.response.body : ''}`)),
      handler));
}

(async () => {
  const metadata = await read(root + '$metadata', odatajs.oData.metadataHandler);
  const entitySets = metadata.dataServices.schema
    .flatMap((schema) => (schema.entityContainer ? [].concat(schema.entityContainer) : []))
    .flatMap((container) => container.entitySet.map((s) => s.name));
  const ids = [];
  let first = null;
  let pages = 0;
  let next = root + set + (query ? '?' + query : '');
  while (next) {
    const page = await read(next);
    pages++;
    for (const entity of page.value) {
      if (first === null) first = entity;
      ids.push(entity.Id);
    }
    next = page['@odata.nextLink'];
    if (pages > 100000) throw new Error('too many pages');
  }
  console.log(JSON.stringify({ entitySets, pages, count: ids.length, ids, first }));
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
