// Measure a distance (a line) or an area (a polygon) on the ellipsoid: click to add points, double-click to finish,
// Escape to stop. The result stays on the map until the next measurement or Clear.

import Draw from 'ol/interaction/Draw';
import VectorLayer from 'ol/layer/Vector';
import VectorSource from 'ol/source/Vector';
import Overlay from 'ol/Overlay';
import { getArea, getLength } from 'ol/sphere';
import { LineString, Polygon } from 'ol/geom';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style';
import type Map from 'ol/Map';
import { formatNumber, h } from './dom';

export type MeasureMode = 'distance' | 'area';

export class Measure {
  private readonly source = new VectorSource();
  private readonly label = h('div', { class: 'measure-label', role: 'status' });
  private readonly overlay = new Overlay({ element: this.label, positioning: 'bottom-center', offset: [0, -10], stopEvent: false });
  private draw: Draw | null = null;
  mode: MeasureMode | null = null;

  constructor(private readonly map: Map, private readonly onChange: (mode: MeasureMode | null, result: string | null) => void) {
    const stroke = new Stroke({ color: '#c2185b', width: 3, lineDash: [8, 6] });
    map.addLayer(new VectorLayer({ source: this.source, zIndex: 1000, style: new Style({ stroke, fill: new Fill({ color: 'rgba(194,24,91,0.12)' }) }) }));
    map.addOverlay(this.overlay);
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && this.mode) this.stop(); });
  }

  start(mode: MeasureMode) {
    this.stop();
    this.clear();
    this.mode = mode;
    this.draw = new Draw({
      source: this.source,
      type: mode === 'distance' ? 'LineString' : 'Polygon',
      style: new Style({
        stroke: new Stroke({ color: '#c2185b', width: 2, lineDash: [4, 4] }),
        fill: new Fill({ color: 'rgba(194,24,91,0.08)' }),
        image: new CircleStyle({ radius: 5, stroke: new Stroke({ color: '#c2185b', width: 2 }), fill: new Fill({ color: '#fff' }) }),
      }),
    });
    this.draw.on('drawstart', (event) => {
      this.source.clear();
      event.feature.getGeometry()?.on('change', (e) => this.show(e.target as LineString | Polygon));
    });
    this.draw.on('drawend', (event) => this.show(event.feature.getGeometry() as LineString | Polygon));
    this.map.addInteraction(this.draw);
    this.onChange(mode, null);
  }

  stop() {
    if (this.draw) this.map.removeInteraction(this.draw);
    this.draw = null;
    this.mode = null;
    this.onChange(null, this.label.textContent || null);
  }

  clear() {
    this.source.clear();
    this.overlay.setPosition(undefined);
    this.label.textContent = '';
  }

  private show(geometry: LineString | Polygon) {
    const projection = this.map.getView().getProjection();
    const text = geometry instanceof Polygon ? area(getArea(geometry, { projection })) : distance(getLength(geometry, { projection }));
    this.label.textContent = text;
    this.overlay.setPosition(geometry instanceof Polygon ? geometry.getInteriorPoint().getCoordinates().slice(0, 2) : geometry.getLastCoordinate());
    this.onChange(this.mode, text);
  }
}

export const distance = (metres: number) => (metres >= 1000 ? `${formatNumber(metres / 1000, 2)} km` : `${formatNumber(metres, 1)} m`);

export const area = (squareMetres: number) =>
  squareMetres >= 1e6 ? `${formatNumber(squareMetres / 1e6, 3)} km²`
    : squareMetres >= 1e4 ? `${formatNumber(squareMetres / 1e4, 2)} ha (${formatNumber(squareMetres)} m²)`
      : `${formatNumber(squareMetres, 1)} m²`;
