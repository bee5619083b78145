// The layer switcher: groups by kind (top of the map first), each layer with visibility, opacity, order and a way
// to its attribute table; groups can be hidden and reordered too.

import type BaseLayer from 'ol/layer/Base';
import type LayerGroup from 'ol/layer/Group';
import { CityMap } from './citymap';
import { clear, formatNumber, h } from './dom';

export interface SwitcherActions {
  changed(): void;
  openTable(layerId: number): void;
}

export class LayerSwitcher {
  constructor(private readonly element: HTMLElement, private readonly cityMap: CityMap, private readonly actions: SwitcherActions) {}

  render() {
    const groups = this.cityMap.allGroups().filter((g) => this.shown(g).length > 0).reverse();
    clear(this.element, ...groups.map((group) => this.group(group)));
    if (groups.length === 0) clear(this.element, h('p', {}, 'This city has no layers yet: upload one.'));
  }

  private group(group: LayerGroup) {
    const title = CityMap.title(group);
    const kind = String(group.get('kind'));
    const id = `group-${kind}`;
    const movable = kind !== 'basemap' && kind !== 'findings';
    const layers = this.shown(group).reverse();
    return h('section', { class: 'switcher-group', 'aria-labelledby': `${id}-title` },
      h('div', { class: 'switcher-group-head' },
        h('input', { type: 'checkbox', id, checked: group.getVisible(), onchange: (e: Event) => this.setVisible(group, e) }),
        h('label', { for: id, id: `${id}-title`, class: 'group-title' }, title),
        movable && this.orderButtons(group, title, this.cityMap.map.getLayers().getArray() as BaseLayer[])),
      h('ul', { class: 'switcher-layers' }, ...layers.map((layer) => this.layer(layer, group))));
  }

  /** A group's layers worth listing: the findings layer only once the city has a check. */
  private shown(group: LayerGroup): BaseLayer[] {
    return group.getLayers().getArray().filter((l) => l !== this.cityMap.findingsLayer || this.cityMap.findingsLayer.getSource() !== null);
  }

  private layer(layer: BaseLayer, group: LayerGroup) {
    const title = CityMap.title(layer);
    const layerId = layer.get('layerId') as number | undefined;
    const id = `layer-${layerId ?? String(group.get('kind')) + '-' + title.replace(/\W+/g, '-')}`;
    const info = layerId !== undefined ? this.cityMap.dataLayer(layerId)?.info : undefined;
    return h('li', { class: 'switcher-layer' },
      h('div', { class: 'switcher-row' },
        h('input', { type: 'checkbox', id, 'data-layer-id': layerId, checked: layer.getVisible(), onchange: (e: Event) => this.setVisible(layer, e) }),
        h('label', { for: id, title: info ? `${info.title}: ${info.kind}, v${info.version}, ${info.licence}` : title },
          title, info && h('span', { class: 'count' }, ` ${formatNumber(info.featureCount)}`)),
        group.getLayers().getLength() > 1 && this.orderButtons(layer, title, group.getLayers().getArray()),
        layerId !== undefined && h('button', { type: 'button', class: 'icon', title: `Attribute table of ${title}`, 'aria-label': `Attribute table of ${title}`, onclick: () => this.actions.openTable(layerId) }, '▦')),
      h('label', { class: 'opacity' }, h('span', { class: 'visually-hidden' }, `Opacity of ${title}`),
        h('input', {
          type: 'range', min: 0, max: 100, step: 5, value: Math.round(layer.getOpacity() * 100), 'aria-label': `Opacity of ${title}`,
          oninput: (e: Event) => { layer.setOpacity(Number((e.target as HTMLInputElement).value) / 100); this.actions.changed(); },
        })));
  }

  /** ▲ draws the layer above its neighbour (it moves up the list), ▼ below. */
  private orderButtons(layer: BaseLayer, title: string, siblings: BaseLayer[]) {
    const move = (by: number) => {
      const collection = this.parentCollection(layer);
      if (!collection) return;
      const array = collection.getArray();
      const from = array.indexOf(layer);
      let to = from + by;
      // Basemap stays at the bottom and findings and highlight on top: skip over them.
      while (to >= 0 && to < array.length && !this.isMovable(array[to])) to += by;
      if (to < 0 || to >= array.length) return;
      collection.removeAt(from);
      collection.insertAt(to, layer);
      this.render();
      this.actions.changed();
      (document.querySelector(`[data-move="${by > 0 ? 'up' : 'down'}-${CSS.escape(title)}"]`) as HTMLElement | null)?.focus();
    };
    const index = siblings.indexOf(layer);
    return h('span', { class: 'order' },
      h('button', { type: 'button', class: 'icon', 'data-move': `up-${title}`, 'aria-label': `Move ${title} up`, title: `Draw ${title} above`, disabled: index >= siblings.length - 1 || !this.isMovable(siblings[index + 1]), onclick: () => move(1) }, '▲'),
      h('button', { type: 'button', class: 'icon', 'data-move': `down-${title}`, 'aria-label': `Move ${title} down`, title: `Draw ${title} below`, disabled: index <= 0 || !this.isMovable(siblings[index - 1]), onclick: () => move(-1) }, '▼'));
  }

  private isMovable(layer: BaseLayer | undefined) {
    return !!layer && !['basemap', 'findings'].includes(String(layer.get('kind'))) && layer.get('title') !== undefined;
  }

  private parentCollection(layer: BaseLayer) {
    const top = this.cityMap.map.getLayers();
    if (top.getArray().includes(layer)) return top;
    return this.cityMap.allGroups().map((g) => g.getLayers()).find((c) => c.getArray().includes(layer));
  }

  private setVisible(layer: BaseLayer, event: Event) {
    layer.setVisible((event.target as HTMLInputElement).checked);
    this.actions.changed();
  }
}
