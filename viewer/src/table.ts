// The attribute table of one layer, read page by page from OGC API - Features (/ogc/collections/{city}__{layer}/items):
// sorting (sortby), search and filter (CQL2 text) and "only what is in view" (bbox) all run in PostGIS, so a layer
// of any size pages quickly. Zoom to a row's feature; export the layer (CSV, GeoJSON) or the rows that match.

import { transformExtent } from 'ol/proj';
import { ApiError, collectionId, getJson, type LayerInfo } from './api';
import type { CityMap } from './citymap';
import { byId, clear, formatNumber, h } from './dom';

const PAGE = 50;

interface ItemsPage {
  features: { id: number; geometry: object | null; properties: Record<string, unknown> }[];
  numberMatched?: number;
  numberReturned: number;
  links: { rel: string; href: string }[];
}

const OPERATORS: Record<string, string> = {
  contains: 'contains', '=': '=', '<>': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥',
};

export class AttributeTable {
  private layer: LayerInfo | null = null;
  private sort: { field: string; descending: boolean } | null = null;
  private pages: string[] = [];
  private matched = 0;
  private rows: ItemsPage['features'] = [];
  private loading = 0;
  private readonly panel = byId('table-panel');
  private readonly form = byId<HTMLFormElement>('table-form');
  private readonly layerSelect = byId<HTMLSelectElement>('table-layer');
  private readonly fieldSelect = byId<HTMLSelectElement>('table-filter-field');
  private readonly search = byId<HTMLInputElement>('table-search');
  private readonly operator = byId<HTMLSelectElement>('table-filter-op');
  private readonly value = byId<HTMLInputElement>('table-filter-value');
  private readonly inView = byId<HTMLInputElement>('table-in-view');
  private readonly status = byId('table-status');
  private readonly grid = byId('table-grid');

  constructor(private readonly cityMap: CityMap, private readonly onOpenChanged: (open: boolean) => void) {
    clear(this.operator, ...Object.entries(OPERATORS).map(([value, label]) => h('option', { value }, label)));
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.first(); });
    this.layerSelect.addEventListener('change', () => this.open(Number(this.layerSelect.value)));
    byId('table-clear').addEventListener('click', () => { this.search.value = ''; this.value.value = ''; this.first(); });
    byId('table-prev').addEventListener('click', () => this.previous());
    byId('table-next').addEventListener('click', () => this.next());
    byId('table-close').addEventListener('click', () => this.close());
    this.inView.addEventListener('change', () => this.first());
    cityMap.map.on('moveend', () => { if (this.isOpen && this.inView.checked) this.first(); });
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /** The layers of the city changed: refill the layer list, and close if the open layer is gone. */
  setLayers(layers: LayerInfo[]) {
    clear(this.layerSelect, ...layers.filter((l) => !l.sensitive).map((l) => h('option', { value: l.id }, l.title)));
    if (this.layer && !layers.some((l) => l.id === this.layer!.id)) this.close();
  }

  open(layerId: number) {
    const data = this.cityMap.dataLayer(layerId);
    if (!data) return;
    this.layer = data.info;
    this.sort = null;
    this.layerSelect.value = String(layerId);
    clear(this.fieldSelect, ...data.info.publicFields.map((f) => h('option', { value: f }, f)));
    byId<HTMLAnchorElement>('table-export-csv').href = `/api/layers/${layerId}/export?format=csv`;
    byId<HTMLAnchorElement>('table-export-geojson').href = `/api/layers/${layerId}/export?format=geojson`;
    this.panel.hidden = false;
    this.onOpenChanged(true);
    this.first();
  }

  close() {
    this.panel.hidden = true;
    this.onOpenChanged(false);
  }

  private first() {
    if (!this.layer) return;
    const url = this.url(PAGE);
    byId<HTMLAnchorElement>('table-export-rows').href = this.url(10_000);
    this.pages = [url];
    this.load(url, true);
  }

  private next() {
    const next = this.nextLink;
    if (!next) return;
    this.pages.push(next);
    this.load(next, false);
  }

  private previous() {
    if (this.pages.length < 2) return;
    this.pages.pop();
    this.load(this.pages[this.pages.length - 1], false);
  }

  private nextLink: string | null = null;
  /** The sort button to give focus back to once the sorted rows are drawn (keyboard users stay in place). */
  private refocus: string | null = null;

  /** /items with the table's sort, search, filter and view box. */
  private url(limit: number) {
    const layer = this.layer!;
    const params = new URLSearchParams({ f: 'json', limit: String(limit) });
    if (this.sort) params.set('sortby', `${this.sort.descending ? '-' : '+'}${this.sort.field}`);
    const filter = this.filter();
    if (filter) { params.set('filter', filter); params.set('filter-lang', 'cql2-text'); }
    if (this.inView.checked) {
      const extent = transformExtent(this.cityMap.map.getView().calculateExtent(), 'EPSG:3857', 'EPSG:4326');
      params.set('bbox', extent.map((v) => v.toFixed(6)).join(','));
    }
    return `/ogc/collections/${encodeURIComponent(collectionId(layer))}/items?${params}`;
  }

  /** CQL2 text: the search as "any field contains", AND the field condition. */
  private filter(): string | null {
    const fields = this.layer!.publicFields;
    const parts: string[] = [];
    const term = this.search.value.trim();
    if (term && fields.length) parts.push(`(${fields.map((f) => `CASEI(${name(f)}) LIKE CASEI(${text(`%${escapeLike(term)}%`)})`).join(' OR ')})`);
    const value = this.value.value.trim();
    if (value && this.fieldSelect.value) {
      const field = name(this.fieldSelect.value);
      const op = this.operator.value;
      parts.push(op === 'contains' ? `CASEI(${field}) LIKE CASEI(${text(`%${escapeLike(value)}%`)})` : `${field} ${op} ${literal(value)}`);
    }
    return parts.length ? parts.join(' AND ') : null;
  }

  private async load(url: string, counting: boolean) {
    const ticket = ++this.loading;
    this.status.textContent = 'Loading…';
    try {
      const page = await getJson<ItemsPage>(url);
      if (ticket !== this.loading) return;
      if (counting) this.matched = page.numberMatched ?? page.numberReturned;
      this.rows = page.features;
      this.nextLink = page.links.find((l) => l.rel === 'next')?.href ?? null;
      this.render();
    } catch (e) {
      if (ticket !== this.loading) return;
      this.rows = [];
      this.nextLink = null;
      this.render();
      this.status.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  private render() {
    const layer = this.layer!;
    const start = (this.pages.length - 1) * PAGE;
    this.status.textContent = this.rows.length === 0 ? 'No feature matches.'
      : `Rows ${formatNumber(start + 1)}–${formatNumber(start + this.rows.length)} of ${formatNumber(this.matched)}${this.matched < layer.featureCount ? ` (${formatNumber(layer.featureCount)} in the layer)` : ''}`;
    byId<HTMLButtonElement>('table-prev').disabled = this.pages.length < 2;
    byId<HTMLButtonElement>('table-next').disabled = !this.nextLink;
    const header = (field: string) => {
      const sorted = this.sort?.field === field;
      return h('th', { scope: 'col', 'aria-sort': sorted ? (this.sort!.descending ? 'descending' : 'ascending') : 'none' },
        h('button', { type: 'button', class: 'sort', title: `Sort by ${field}`, onclick: () => this.sortBy(field) },
          field, sorted && h('span', { 'aria-hidden': 'true' }, this.sort!.descending ? ' ▼' : ' ▲')));
    };
    clear(this.grid, h('table', { class: 'attribute-table', 'aria-label': `Attributes of ${layer.title}` },
      h('thead', {}, h('tr', {}, header('id'), ...layer.publicFields.map(header), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, ...this.rows.map((row) => h('tr', { 'data-feature-id': row.id },
        h('td', {}, row.id),
        ...layer.publicFields.map((f) => h('td', {}, cell(row.properties[f]))),
        h('td', {}, h('button', { type: 'button', disabled: !row.geometry, 'aria-label': `Zoom to feature ${row.id}`, onclick: () => this.zoomTo(row) }, 'Zoom')))))));
    if (this.refocus) (this.grid.querySelector(`button[title="Sort by ${CSS.escape(this.refocus)}"]`) as HTMLElement | null)?.focus();
    this.refocus = null;
  }

  private sortBy(field: string) {
    this.sort = this.sort?.field === field ? (this.sort.descending ? null : { field, descending: true }) : { field, descending: false };
    this.refocus = field;
    this.first();
  }

  private zoomTo(row: ItemsPage['features'][number]) {
    this.cityMap.highlightFeature({ type: 'Feature', id: row.id, geometry: row.geometry, properties: row.properties }, true);
  }
}

const name = (field: string) => `"${field.replace(/"/g, '""')}"`;
const text = (value: string) => `'${value.replace(/'/g, "''")}'`;
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);
const literal = (value: string) => (/^-?\d+(\.\d+)?$/.test(value) ? value : text(value));
const cell = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
