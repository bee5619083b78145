// The review queue (moderators): the city's pending contributions, oldest first; choosing one draws each change's
// before (dashed red) and after (green) on the map and lists the attribute diff and the 4.e findings; Accept or Reject
// with a note. A 409 (the feature moved on) shows the versions it was based on, is now and would become.

import GeoJSON from 'ol/format/GeoJSON';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import { Circle as CircleStyle, Fill, Stroke, Style } from 'ol/style';
import { createEmpty, extend, isEmpty } from 'ol/extent';
import type Feature from 'ol/Feature';
import { ApiError, getJson, postJson, type Contribution, type VersionConflict, type VersionedFeature } from './api';
import type { CityMap } from './citymap';
import { findingItems, display } from './contribute';
import { byId, clear, h } from './dom';

const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

const styleOf = (colour: string, dashed: boolean, fill: string, zIndex: number) => {
  const stroke = new Stroke({ color: colour, width: 3, lineDash: dashed ? [8, 6] : undefined });
  return new Style({ stroke, fill: new Fill({ color: fill }), image: new CircleStyle({ radius: 8, stroke }), zIndex });
};
/** The proposed state drawn over the others, so an unchanged geometry still shows it. */
const STYLES: Record<string, Style> = {
  before: styleOf('#d32f2f', true, 'rgba(211,47,47,0.08)', 0),
  current: styleOf('#6d4c41', true, 'rgba(109,76,65,0.08)', 1),
  after: styleOf('#2e7d32', false, 'rgba(46,125,50,0.25)', 2),
};

export interface ReviewActions {
  city(): string;
  /** A contribution to this layer was accepted: its tiles changed. */
  accepted(layerId: number): void;
}

export class ReviewPanel {
  private readonly source = new VectorSource();
  private chosen: Contribution | null = null;
  private readonly list = byId('review-list');
  private readonly detail = byId('review-detail');
  private readonly status = byId('review-status');

  constructor(private readonly cityMap: CityMap, private readonly actions: ReviewActions) {
    cityMap.map.addLayer(new VectorLayer({
      source: this.source, zIndex: 11, properties: { kind: 'review' },
      style: (feature) => STYLES[feature.get('side') as string],
    }));
    byId('review-refresh').addEventListener('click', () => void this.load().catch((e: Error) => this.say(e.message, true)));
    byId('review-accept').addEventListener('click', () => void this.decide('accept'));
    byId('review-reject').addEventListener('click', () => void this.decide('reject'));
  }

  /** The city's pending contributions, oldest first. */
  async load() {
    this.show(null);
    const { contributions } = await getJson<{ contributions: Contribution[] }>(
      `/api/contributions?state=pending&city=${encodeURIComponent(this.actions.city())}&limit=100`);
    clear(this.list, ...contributions.map((c) => h('li', {},
      h('button', { type: 'button', class: 'link', 'data-contribution': c.id, onclick: () => this.show(c) },
        `#${c.id} by ${c.author}${c.organisation ? ` (${c.organisation})` : ''}: ${c.changes.map((x) => x.action).join(', ')} in ${c.layer}`),
      c.comment && h('div', { class: 'muted' }, `“${c.comment}”`))));
    if (contributions.length === 0) clear(this.list, h('li', {}, 'Nothing is waiting for review in this city.'));
  }

  /** Draws a contribution's before and after, lists its diff and findings (null: clears). */
  show(c: Contribution | null) {
    this.chosen = c;
    this.source.clear();
    byId('review-decision').hidden = !c;
    this.say('');
    if (!c) { clear(this.detail); return; }
    this.draw(c.changes.flatMap((x) => [['before', x.before], ['after', x.after]] as [string, VersionedFeature | null][]));
    clear(this.detail,
      h('h3', {}, `Contribution #${c.id}`),
      h('p', {}, `${c.author}${c.organisation ? ` (${c.organisation})` : ''}, ${new Date(c.createdAt).toLocaleString('en-IN')}; licence ${c.licence}`),
      c.comment && h('p', {}, `“${c.comment}”`),
      h('p', { class: 'muted' }, h('span', { class: 'swatch before' }), ' before ', h('span', { class: 'swatch after' }), ' after'),
      ...c.changes.map((x) => h('section', { class: 'review-change' },
        h('h4', {}, `${x.action}${x.featureId !== null ? ` feature ${x.featureId}` : ''}${x.baseVersion !== null ? ` (from version ${x.baseVersion})` : ''}${x.diff.geometry ? ', geometry changed' : ''}`),
        x.diff.attributes.length > 0 && h('table', { class: 'attributes diff' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
          h('tbody', {}, ...x.diff.attributes.map((d) => h('tr', {}, h('th', { scope: 'row' }, d.field), h('td', {}, display(d.before)), h('td', {}, display(d.after)))))))),
      h('h4', {}, 'Findings (4.e)'),
      h('ul', { class: 'findings' }, ...findingItems(c)));
  }

  /** Outlines the given states of features on the map and zooms to them. */
  private draw(states: [string, VersionedFeature | null][]) {
    const extent = createEmpty();
    for (const [side, state] of states) {
      if (!state?.geometry) continue;
      // Without its id: a source keeps one feature per id, and before and after share it (a new feature's is null).
      const feature = geojson.readFeature({ ...state, id: undefined }) as Feature;
      feature.set('side', side);
      this.source.addFeature(feature);
      extend(extent, feature.getGeometry()!.getExtent());
    }
    if (!isEmpty(extent)) this.cityMap.map.getView().fit(extent, { padding: [80, 80, 80, 80], maxZoom: 18, duration: 0 });
  }

  private async decide(verdict: 'accept' | 'reject') {
    const c = this.chosen;
    if (!c) return;
    const note = byId<HTMLTextAreaElement>('review-note').value.trim();
    if (verdict === 'reject' && !note) return this.say('Say why it is rejected: the contributor reads the note.', true);
    try {
      const { value } = await postJson<Contribution>(`/api/contributions/${c.id}/${verdict}`, { note: note || null }, `${verdict} contribution ${c.id}`);
      byId<HTMLTextAreaElement>('review-note').value = '';
      if (value.state === 'accepted') this.actions.accepted(value.layerId);
      await this.load();
      this.say(`Contribution ${value.id} ${value.state}.`);
    } catch (e) {
      this.say(e instanceof Error ? e.message : String(e), true);
      const conflicts = e instanceof ApiError ? (e.problem?.conflicts as VersionConflict[] | undefined) : undefined;
      if (conflicts) this.showConflicts(conflicts);
    }
  }

  /** Both versions of each conflicting feature: as the change began from it (red), as it is now (brown), as proposed (green). */
  private showConflicts(conflicts: VersionConflict[]) {
    this.source.clear();
    this.draw(conflicts.flatMap((c) => [['before', c.base], ['current', c.current], ['after', c.proposed]] as [string, VersionedFeature | null][]));
    const fields = (c: VersionConflict) => [...new Set([c.base, c.current, c.proposed].flatMap((f) => Object.keys(f?.properties ?? {})))];
    clear(this.detail, h('h3', {}, 'Version conflict'), ...conflicts.map((c) => h('section', { class: 'review-change conflict' },
      h('h4', {}, `Feature ${c.featureId}: based on version ${c.baseVersion}, now ${c.current ? `version ${c.currentVersion}` : 'gone'}`),
      h('table', { class: 'attributes diff' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Base'), h('th', { scope: 'col' }, 'Current'), h('th', { scope: 'col' }, 'Proposed'))),
        h('tbody', {}, ...fields(c).map((f) => h('tr', {}, h('th', { scope: 'row' }, f),
          ...[c.base, c.current, c.proposed].map((v) => h('td', {}, display(v?.properties[f]))))))))));
  }

  private say(text: string, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle('error', error);
  }
}
