// Proposing changes to an editable layer (contributors and up): draw a new feature (a polygon, or a point for assets)
// or pick one to move its vertices or delete it, snapped to the city's ward boundaries; attributes, comment and licence
// in the panel; sent as a contribution (POST /api/layers/{id}/contributions), whose state and 4.e findings are shown.
// Below, the caller's own contributions with their outcome and the reviewer's note.

import Feature from 'ol/Feature';
import GeoJSON from 'ol/format/GeoJSON';
import Draw from 'ol/interaction/Draw';
import Modify from 'ol/interaction/Modify';
import Snap from 'ol/interaction/Snap';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import type { Geometry } from 'ol/geom';
import type MapBrowserEvent from 'ol/MapBrowserEvent';
import { ApiError, collectionId, getJson, postForm, postJson, type Contribution, type LayerInfo, type VersionConflict, type VersionedFeature } from './api';
import type { CityMap } from './citymap';
import { byId, clear, h } from './dom';

const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

export interface ContributeActions {
  /** The panel draws or picks on the map (true) or no longer does (false): the feature popup waits meanwhile. */
  editing(active: boolean): void;
}

/** The feature being edited: what it was (id, version, attributes) when picked. */
interface Target {
  id: number;
  version: number;
  properties: Record<string, unknown>;
}

export class ContributePanel {
  private layers: LayerInfo[] = [];
  private wardLayers: LayerInfo[] = [];
  private wardsLoaded: Promise<void> | null = null;
  private readonly sketch = new VectorSource();
  private readonly wards = new VectorSource(); // for snapping only: vector tiles cannot be snapped to
  private readonly modify = new Modify({ source: this.sketch });
  private readonly snap = new Snap({ source: this.wards });
  private draw: Draw | null = null;
  private target: Target | null = null;
  private geometryChanged = false;
  private picking = false;
  private readonly select = byId<HTMLSelectElement>('contrib-layer');
  private readonly status = byId('contrib-status');

  constructor(private readonly cityMap: CityMap, private readonly actions: ContributeActions) {
    cityMap.map.addLayer(new VectorLayer({ source: this.sketch, zIndex: 10, properties: { kind: 'sketch' } }));
    this.modify.on('modifyend', () => { this.geometryChanged = true; });
    cityMap.map.on('singleclick', (e) => { if (this.picking) void this.pick(e); });
    this.select.addEventListener('change', () => this.cancel());
    byId('contrib-draw').addEventListener('click', () => void this.startDraw());
    byId('contrib-edit').addEventListener('click', () => void this.startPick());
    byId('contrib-cancel').addEventListener('click', () => { this.cancel(); this.say(''); });
    byId('contrib-delete').addEventListener('click', () => void this.submit(true));
    byId('contrib-form').addEventListener('submit', (e) => { e.preventDefault(); void this.submit(false); });
    byId('contrib-file-submit').addEventListener('click', () => void this.submitFile());
    byId('contrib-mine-refresh').addEventListener('click', () => void this.loadMine());
  }

  /** A city's layers: the editable ones to choose from, its wards to snap to (read when editing starts). */
  setLayers(layers: LayerInfo[]) {
    this.cancel();
    this.layers = layers.filter((l) => l.editable && !l.sensitive);
    this.wardLayers = layers.filter((l) => l.kind === 'ward' && !l.sensitive);
    clear(this.select, ...this.layers.map((l) => h('option', { value: l.id }, l.title)));
    byId('contrib-form').hidden = this.layers.length === 0;
    byId('contrib-none').hidden = this.layers.length > 0;
    this.renderFields();
    this.wards.clear();
    this.wardsLoaded = null;
  }

  /** The city's ward polygons as GeoJSON from OGC API items, once a city, for Snap. */
  private loadWards(): Promise<void> {
    this.wardsLoaded ??= Promise.all(this.wardLayers.map((l) =>
      getJson<object>(`/ogc/collections/${encodeURIComponent(collectionId(l))}/items?f=json&limit=10000`)))
      .then((pages) => { for (const page of pages) this.wards.addFeatures(geojson.readFeatures(page)); });
    return this.wardsLoaded;
  }

  private get layer(): LayerInfo | undefined {
    return this.layers.find((l) => l.id === Number(this.select.value));
  }

  private renderFields() {
    const layer = this.layer;
    (byId<HTMLInputElement>('contrib-licence')).value = layer?.licence ?? '';
    clear(byId('contrib-fields'), h('legend', {}, 'Attributes'), ...(layer?.publicFields ?? []).map((field) => h('span', { class: 'field' },
      h('label', { for: `contrib-field-${field}` }, field),
      h('input', { id: `contrib-field-${field}`, 'data-field': field, value: display(this.target?.properties[field]) }))));
  }

  private async startDraw() {
    const layer = this.layer;
    if (!layer) return;
    this.cancel();
    if (!(await this.ready())) return;
    this.draw = new Draw({ source: this.sketch, type: layer.kind === 'asset' ? 'Point' : 'Polygon' });
    this.draw.on('drawend', () => {
      // One feature a contribution: once drawn it can be reshaped, not drawn again.
      setTimeout(() => this.stopDraw());
      this.geometryChanged = true;
      this.say('Drawn. Drag its vertices to adjust; fill in the attributes, then submit for review.');
    });
    this.interact(this.draw);
    this.say(`Drawing a new ${layer.kind === 'asset' ? 'point' : 'polygon'} in ${layer.title}: click to add vertices (they snap to ward boundaries), double-click to finish.`);
  }

  private async startPick() {
    if (!this.layer) return;
    this.cancel();
    if (!(await this.ready())) return;
    this.picking = true;
    this.actions.editing(true);
    this.say(`Click a feature of ${this.layer.title} to edit or delete it.`);
  }

  /** The wards are there to snap to (false: they could not be read, which is said). */
  private async ready() {
    this.say('Reading the ward boundaries to snap to…');
    try {
      await this.loadWards();
      return true;
    } catch (e) {
      this.wardsLoaded = null;
      this.say(e instanceof Error ? e.message : String(e), true);
      return false;
    }
  }

  /** A click while picking: the feature of the chosen layer under it, read at its current version. */
  private async pick(event: MapBrowserEvent<PointerEvent | KeyboardEvent | WheelEvent>) {
    const layer = this.layer!;
    const hit = this.cityMap.map.forEachFeatureAtPixel(event.pixel, (f) => f, { hitTolerance: 4, layerFilter: (l) => l.get('layerId') === layer.id });
    if (!hit) return this.say(`No feature of ${layer.title} there: click inside one.`);
    this.picking = false;
    let item: VersionedFeature;
    try {
      item = await getJson<VersionedFeature>(`/ogc/collections/${encodeURIComponent(collectionId(layer))}/items/${Number(hit.getId())}?f=json`);
    } catch (e) {
      return this.say(e instanceof Error ? e.message : String(e), true);
    }
    this.target = { id: Number(item.id), version: item.version, properties: item.properties };
    this.sketch.addFeature(geojson.readFeature(item) as Feature<Geometry>);
    this.interact(null);
    this.renderFields();
    byId<HTMLButtonElement>('contrib-delete').disabled = false;
    this.say(`Editing feature ${item.id} (version ${item.version}): drag its vertices, change its attributes, or delete it.`);
  }

  /** Puts the modify interaction (and Draw, if given) on the map, Snap last so it sees every pointer move first. */
  private interact(draw: Draw | null) {
    const map = this.cityMap.map;
    for (const i of [this.modify, this.snap]) map.removeInteraction(i);
    if (draw) map.addInteraction(draw);
    map.addInteraction(this.modify);
    map.addInteraction(this.snap);
    this.actions.editing(true);
  }

  private stopDraw() {
    if (this.draw) this.cityMap.map.removeInteraction(this.draw);
    this.draw = null;
  }

  /** Drops the sketch and every interaction. */
  cancel() {
    this.stopDraw();
    for (const i of [this.modify, this.snap]) this.cityMap.map.removeInteraction(i);
    this.sketch.clear();
    this.target = null;
    this.picking = false;
    this.geometryChanged = false;
    byId<HTMLButtonElement>('contrib-delete').disabled = true;
    this.renderFields();
    this.actions.editing(false);
  }

  private async submit(remove: boolean) {
    const layer = this.layer;
    if (!layer) return;
    const drawn = this.sketch.getFeatures()[0]?.getGeometry();
    const target = this.target;
    let change: object;
    if (target && remove) change = { action: 'delete', featureId: target.id, baseVersion: target.version };
    else if (target) change = {
      action: 'modify', featureId: target.id, baseVersion: target.version,
      feature: { properties: this.attributes(target.properties), ...(this.geometryChanged && drawn ? { geometry: write(drawn) } : {}) },
    };
    else if (drawn) change = { action: 'create', feature: { type: 'Feature', geometry: write(drawn), properties: this.attributes(null) } };
    else return this.say('Draw a new feature, or pick one to edit, first.', true);
    await this.propose(layer, (comment, licence) =>
      postJson<Contribution>(`/api/layers/${layer.id}/contributions`, { comment, licence, changes: [change] }, 'propose changes'));
  }

  /** A file of features: each one whose id names a feature of the layer changes it, every other one is added. */
  private async submitFile() {
    const layer = this.layer;
    const file = byId<HTMLInputElement>('contrib-file').files?.[0];
    if (!layer || !file) return this.say('Choose a file to propose from.', true);
    await this.propose(layer, (comment, licence) => {
      const form = new FormData();
      form.set('file', file);
      form.set('comment', comment);
      if (licence) form.set('licence', licence);
      return postForm<Contribution>(`/api/layers/${layer.id}/contributions`, form, 'propose changes from a file');
    });
  }

  /** Sends a proposal with the panel's comment and licence; shows its state and findings, or what conflicted. */
  private async propose(layer: LayerInfo, send: (comment: string, licence: string | null) => Promise<{ value: Contribution }>) {
    const comment = byId<HTMLTextAreaElement>('contrib-comment').value.trim();
    const licence = byId<HTMLInputElement>('contrib-licence').value.trim() || null;
    try {
      const { value } = await send(comment, licence);
      this.cancel();
      byId<HTMLTextAreaElement>('contrib-comment').value = '';
      byId<HTMLInputElement>('contrib-file').value = '';
      this.say(`Contribution ${value.id} to ${layer.title} is ${value.state}: a moderator will review it.`);
      clear(byId('contrib-findings'), ...findingItems(value));
      void this.loadMine();
    } catch (e) {
      const conflicts = e instanceof ApiError ? (e.problem?.conflicts as VersionConflict[] | undefined) : undefined;
      this.say(e instanceof Error ? e.message : String(e), true);
      clear(byId('contrib-findings'), ...(conflicts ?? []).map((c) => h('li', {},
        `Feature ${c.featureId}: you began from version ${c.baseVersion}; it is ${c.current ? `at version ${c.currentVersion} now` : 'gone now'}. Pick it again to edit the current version.`)));
    }
  }

  /** The attributes as typed: for a new feature every filled field (numbers as numbers); for an edit, a merge patch of what changed. */
  private attributes(before: Record<string, unknown> | null): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const input of byId('contrib-fields').querySelectorAll<HTMLInputElement>('input[data-field]')) {
      const field = input.dataset.field!;
      const text = input.value.trim();
      if (!before) {
        if (text !== '') result[field] = Number.isFinite(Number(text)) ? Number(text) : text;
      } else if (text !== display(before[field])) {
        result[field] = text === '' ? null : typeof before[field] === 'number' && Number.isFinite(Number(text)) ? Number(text) : text;
      }
    }
    return result;
  }

  /** The caller's own contributions, newest first, with their outcome. */
  async loadMine() {
    const list = byId('contrib-mine');
    try {
      const { contributions } = await getJson<{ contributions: Contribution[] }>('/api/contributions?mine=true&limit=20');
      clear(list, ...contributions.map((c) => h('li', { class: `contribution state-${c.state}`, 'data-contribution': c.id },
        h('strong', {}, `#${c.id} ${c.state}`), ` · ${c.layer} · ${c.changes.map((x) => x.action).join(', ')}`,
        c.comment && ` · “${c.comment}”`,
        c.reviewer && h('div', { class: 'muted' }, `${c.state} by ${c.reviewer}${c.reviewNote ? `: ${c.reviewNote}` : ''}`))));
      if (contributions.length === 0) clear(list, h('li', {}, 'None yet.'));
    } catch (e) {
      clear(list, h('li', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  private say(text: string, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }
}

/** A contribution's 4.e findings as list items (or a line saying there are none). */
export function findingItems(c: Contribution): HTMLElement[] {
  return c.findings.length
    ? c.findings.map((f) => h('li', { class: 'finding' }, h('span', { class: `severity severity-${f.severity}` }, f.severity), ` ${f.rule}: ${f.detail}`))
    : [h('li', {}, 'The 4.e check found nothing to report.')];
}

const write = (geometry: Geometry) => geojson.writeGeometryObject(geometry, { decimals: 7 });

export const display = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
