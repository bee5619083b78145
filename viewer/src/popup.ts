// Click a feature to see its attributes: every feature under the pointer (top layer first), with its layer, id and
// public fields; a finding shows its rule, severity and detail and can show the feature it is about.

import Overlay from 'ol/Overlay';
import type { FeatureLike } from 'ol/Feature';
import type { Coordinate } from 'ol/coordinate';
import type BaseLayer from 'ol/layer/Base';
import type { CityMap } from './citymap';
import { collectionId, getJson, type FindingProperties, type LayerInfo } from './api';
import { clear, h } from './dom';
import { historyList } from './history';

const MAX_FEATURES = 6;

export interface PopupActions {
  showFinding(finding: FindingProperties): void;
  zoomToFeature(layerId: number, featureId: number): void;
  /** Whether the caller may propose reverting a contribution (a contributor or more, signed in). */
  mayRevert(): boolean;
}

export class FeaturePopup {
  private readonly overlay: Overlay;
  private readonly body: HTMLElement;
  enabled = true;

  constructor(private readonly cityMap: CityMap, private readonly actions: PopupActions) {
    this.body = h('div', { class: 'popup-body' });
    const element = h('div', { class: 'popup', role: 'dialog', 'aria-label': 'Feature attributes', id: 'popup' },
      h('button', { type: 'button', class: 'popup-close icon', 'aria-label': 'Close the attributes', onclick: () => this.close() }, '×'),
      this.body);
    element.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
    this.overlay = new Overlay({ element, autoPan: { animation: { duration: 200 } }, positioning: 'bottom-center', offset: [0, -12] });
    cityMap.map.addOverlay(this.overlay);
    cityMap.map.on('singleclick', (event) => { if (this.enabled) this.identify(event.pixel, event.coordinate); });
  }

  close() {
    this.overlay.setPosition(undefined);
  }

  /** Shows a finding's text at a place (from the findings list, or a click). */
  showFindingAt(finding: FindingProperties, coordinate: Coordinate) {
    clear(this.body, this.findingSection(finding));
    this.open(coordinate);
  }

  private identify(pixel: number[], coordinate: Coordinate) {
    const seen = new Set<string>();
    const sections: HTMLElement[] = [];
    this.cityMap.map.forEachFeatureAtPixel(pixel, (feature, layer) => {
      const key = `${layer?.get('layerId') ?? 'findings'}:${feature.getId() ?? feature.get('rule') + feature.get('detail')}`;
      if (seen.has(key)) return false; // a polygon cut by tile edges comes once per tile
      seen.add(key);
      const section = this.section(feature, layer);
      if (section) sections.push(section);
      return sections.length >= MAX_FEATURES;
    }, { hitTolerance: 4, layerFilter: (l) => l.get('layerId') !== undefined || l === this.cityMap.findingsLayer });
    if (sections.length === 0) { this.close(); return; }
    clear(this.body, ...sections);
    this.open(coordinate);
  }

  private open(coordinate: Coordinate) {
    this.overlay.setPosition(coordinate);
    (this.body.querySelector('h3') as HTMLElement | null)?.focus({ preventScroll: true });
  }

  private section(feature: FeatureLike, layer: BaseLayer): HTMLElement | null {
    if (layer === this.cityMap.findingsLayer) return this.findingSection(feature.getProperties() as FindingProperties);
    const data = this.cityMap.dataLayer(layer.get('layerId') as number);
    if (!data) return null;
    const id = Number(feature.getId());
    const cells = new Map(data.info.publicFields.map((field) => [field, h('td', {}, '…')]));
    const table = h('table', { class: 'attributes' }, h('tbody', {},
      ...[...cells].map(([field, cell]) => h('tr', {}, h('th', { scope: 'row' }, field), cell))));
    void this.fillAttributes(data.info, id, cells, table);
    return h('section', { class: 'popup-feature' },
      h('h3', { tabindex: -1 }, data.info.title, h('span', { class: 'muted' }, ` · feature ${id}`)),
      table,
      h('button', { type: 'button', onclick: () => this.actions.zoomToFeature(data.info.id, id) }, 'Zoom to feature'),
      h('button', { type: 'button', onclick: (e: Event) => void this.showHistory(e.currentTarget as HTMLButtonElement, data.info.id, id) }, 'History'));
  }

  /**
   * Reads the feature's fields from OGC API - Features: tiles below zoom 12 carry only the fields their style draws
   * with, and the store is the one source that is always whole and current.
   */
  private async fillAttributes(layer: LayerInfo, id: number, cells: Map<string, HTMLElement>, table: HTMLElement) {
    try {
      const item = await getJson<{ properties: Record<string, unknown> | null }>(`/ogc/collections/${encodeURIComponent(collectionId(layer))}/items/${id}?f=json`);
      for (const [field, cell] of cells) cell.textContent = display(item.properties?.[field]);
    } catch (e) {
      for (const cell of cells.values()) cell.textContent = '—';
      table.after(h('p', { class: 'error' }, `The fields could not be read: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** Replaces the History button with the feature's versions. */
  private async showHistory(button: HTMLButtonElement, layerId: number, featureId: number) {
    button.disabled = true;
    try {
      button.replaceWith(await historyList(layerId, featureId, this.actions.mayRevert()));
    } catch (e) {
      button.after(h('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
    }
  }

  private findingSection(finding: FindingProperties) {
    return h('section', { class: 'popup-finding' },
      h('h3', { tabindex: -1 }, h('span', { class: `severity severity-${finding.severity}` }, finding.severity), ` ${finding.rule}`),
      h('p', { class: 'finding-detail' }, finding.detail),
      h('p', { class: 'muted' }, `${finding.layer}${finding.feature ? `, feature ${finding.feature}` : ''}${finding.featureId !== null ? ` (id ${finding.featureId})` : ''}`),
      finding.featureId !== null && h('button', { type: 'button', onclick: () => this.actions.showFinding(finding) }, 'Show the feature'));
  }
}

const display = (value: unknown) => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));
