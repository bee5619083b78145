// The legend, read from the same MapLibre styles the map draws with: one entry per style layer that names itself
// (metadata.legend), one per class where a colour is a "match" expression (asset themes, finding severities).

import type { CityMap, GlStyle } from './citymap';
import { clear, h } from './dom';

interface Entry { label: string; type: string; color: string; outline?: string }

export function renderLegend(element: HTMLElement, cityMap: CityMap) {
  const blocks = cityMap.dataLayers.filter((d) => d.layer.getVisible() && d.layer.getOpacity() > 0).reverse()
    .map((d) => block(d.info.title, d.style));
  if (cityMap.findingsStyle && cityMap.findingsLayer.getVisible() && cityMap.findingsLayer.getSource())
    blocks.push(block('Findings', cityMap.findingsStyle));
  clear(element, ...(blocks.length ? blocks : [h('p', {}, 'No layer is shown.')]));
}

function block(title: string, style: GlStyle) {
  return h('div', { class: 'legend-block' }, h('h4', {}, title),
    h('ul', {}, ...entries(style).map((e) => h('li', {}, swatch(e), e.label))));
}

function entries(style: GlStyle): Entry[] {
  const line = style.layers.find((l) => l.type === 'line')?.paint?.['line-color'];
  const result: Entry[] = [];
  for (const layer of style.layers) {
    const label = layer.metadata?.legend;
    if (!label) continue;
    const paint = layer.paint ?? {};
    const color = paint[`${layer.type}-color`];
    const outline = layer.type === 'fill' && typeof line === 'string' ? line : undefined;
    if (typeof color === 'string') result.push({ label, type: layer.type, color, outline });
    else if (Array.isArray(color) && color[0] === 'match') {
      // ["match", input, values, colour, values, colour, ..., fallback]
      for (let i = 2; i + 1 < color.length; i += 2) {
        const values = color[i];
        const name = String(Array.isArray(values) ? values[0] : values).replace(/_/g, ' ');
        result.push({ label: name.charAt(0).toUpperCase() + name.slice(1), type: layer.type, color: String(color[i + 1]) });
      }
      result.push({ label: 'Other', type: layer.type, color: String(color[color.length - 1]) });
    }
  }
  return result;
}

function swatch(entry: Entry) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  const shape = document.createElementNS('http://www.w3.org/2000/svg', entry.type === 'circle' ? 'circle' : entry.type === 'line' ? 'line' : 'rect');
  const set = (attributes: Record<string, string | number>) => Object.entries(attributes).forEach(([k, v]) => shape.setAttribute(k, String(v)));
  if (entry.type === 'circle') set({ cx: 10, cy: 7, r: 5, fill: entry.color, stroke: '#fff' });
  else if (entry.type === 'line') set({ x1: 1, y1: 7, x2: 19, y2: 7, stroke: entry.color, 'stroke-width': 3 });
  else set({ x: 1, y: 1, width: 18, height: 12, fill: entry.color, 'fill-opacity': 0.6, stroke: entry.outline ?? entry.color });
  svg.appendChild(shape);
  return svg;
}
