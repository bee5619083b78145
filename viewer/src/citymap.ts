// The map: the offline basemap (plain background + the city boundary) or a configured XYZ basemap, one vector-tile
// layer per city layer styled by its kind's MapLibre style from /styles, the findings layer and a highlight layer.

import Map from 'ol/Map';
import View from 'ol/View';
import LayerGroup from 'ol/layer/Group';
import TileLayer from 'ol/layer/Tile';
import VectorLayer from 'ol/layer/Vector';
import VectorTileLayer from 'ol/layer/VectorTile';
import VectorSource from 'ol/source/Vector';
import XYZ from 'ol/source/XYZ';
import GeoJSON from 'ol/format/GeoJSON';
import ScaleLine from 'ol/control/ScaleLine';
import { defaults as defaultControls } from 'ol/control/defaults';
import { transformExtent } from 'ol/proj';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style';
import type BaseLayer from 'ol/layer/Base';
import type Feature from 'ol/Feature';
import type { Extent } from 'ol/extent';
import { applyStyle } from 'ol-mapbox-style';
import { getJson, type LayerInfo, type ViewerConfig } from './api';

/** Drawing order, bottom first; the layer switcher lists them top first. */
export const KIND_ORDER = ['boundary', 'ward', 'slum', 'other', 'asset'] as const;
const KIND_TITLES: Record<string, string> = {
  boundary: 'City boundary', ward: 'Wards', slum: 'Slums', other: 'Other layers', asset: 'Assets',
  findings: 'Readiness check', basemap: 'Basemap',
};

/** A MapLibre style (v8) as far as the viewer reads it. */
export interface GlStyle {
  name: string;
  layers: { id: string; type: string; metadata?: { legend?: string }; paint?: Record<string, unknown> }[];
}

export interface DataLayer {
  info: LayerInfo;
  layer: VectorTileLayer;
  style: GlStyle;
}

const kindOf = (info: LayerInfo) => ((KIND_ORDER as readonly string[]).includes(info.kind) ? info.kind : 'other');

export class CityMap {
  readonly map: Map;
  readonly groups: Record<string, LayerGroup> = {};
  readonly findingsLayer = new VectorLayer({ properties: { title: 'Findings', kind: 'findings' }, zIndex: 0 });
  findingsStyle: GlStyle | null = null;
  private readonly highlight = new VectorSource();
  private data: DataLayer[] = [];

  constructor(target: HTMLElement, config: ViewerConfig) {
    const basemap = new LayerGroup({ properties: { kind: 'basemap', title: KIND_TITLES.basemap } });
    if (config.basemap)
      basemap.getLayers().push(new TileLayer({
        properties: { title: 'Basemap tiles' },
        source: new XYZ({ url: config.basemap.url, attributions: config.basemap.attribution ?? undefined }),
      }));
    for (const kind of KIND_ORDER) this.groups[kind] = new LayerGroup({ properties: { kind, title: KIND_TITLES[kind] } });
    this.groups.findings = new LayerGroup({ properties: { kind: 'findings', title: KIND_TITLES.findings }, layers: [this.findingsLayer] });
    const highlightStroke = new Stroke({ color: '#00e5ff', width: 4 });
    const highlightLayer = new VectorLayer({
      source: this.highlight,
      style: new Style({ stroke: highlightStroke, fill: new Fill({ color: 'rgba(0,229,255,0.15)' }), image: new CircleStyle({ radius: 9, stroke: highlightStroke }) }),
    });
    this.map = new Map({
      target,
      layers: [basemap, ...KIND_ORDER.map((k) => this.groups[k]), this.groups.findings, highlightLayer],
      view: new View({ center: [0, 0], zoom: 2, maxZoom: 22 }),
      controls: defaultControls({ attributionOptions: { collapsible: true } }).extend([new ScaleLine()]),
    });
    this.groups.basemap = basemap;
  }

  get dataLayers(): readonly DataLayer[] {
    return this.data;
  }

  dataLayer(id: number) {
    return this.data.find((d) => d.info.id === id);
  }

  /** Replaces the city's layers; resolves once every layer has its style and source. */
  async showLayers(layers: LayerInfo[]) {
    for (const group of KIND_ORDER.map((k) => this.groups[k])) group.getLayers().clear();
    this.data = [];
    const shown = layers.filter((l) => !l.sensitive);
    const styled = await Promise.all(shown.map(async (info) => {
      const style = await getJson<GlStyle>(`/styles/${styleFor(info.kind)}?layer=${info.id}`);
      const layer = new VectorTileLayer({ declutter: true, properties: { title: info.title, layerId: info.id, kind: kindOf(info) } });
      await applyStyle(layer, style);
      return { info, layer, style } satisfies DataLayer;
    }));
    for (const kind of KIND_ORDER)
      for (const d of styled.filter((s) => kindOf(s.info) === kind).sort((a, b) => a.info.title.localeCompare(b.info.title))) {
        this.groups[kind].getLayers().push(d.layer);
        this.data.push(d);
      }
  }

  /** Reloads a layer's tiles (after a change to it was accepted): the tiles are revalidated by ETag, so they come new. */
  refreshLayer(id: number) {
    this.dataLayer(id)?.layer.getSource()?.refresh();
  }

  /** The findings of the city's newest check (null: no check yet, the layer is emptied). */
  async showFindings(city: string | null) {
    this.findingsLayer.setSource(null);
    if (!city) return;
    const style = await getJson<GlStyle>(`/styles/findings?city=${encodeURIComponent(city)}`);
    await applyStyle(this.findingsLayer, style);
    this.findingsStyle = style;
  }

  /** A lon/lat bbox [minx, miny, maxx, maxy] in view. */
  fitBbox(bbox: number[], maxZoom = 17) {
    const extent = transformExtent(bbox, 'EPSG:4326', 'EPSG:3857');
    this.map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom, duration: 0 });
  }

  /** Outlines a GeoJSON feature (lon/lat) and optionally zooms to it; answers its extent (map units), if it has a geometry. */
  highlightFeature(geojson: object | null, zoom: boolean): Extent | null {
    this.highlight.clear();
    if (!geojson) return null;
    const feature = new GeoJSON().readFeature(geojson, { dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' }) as Feature;
    this.highlight.addFeature(feature);
    const extent = feature.getGeometry()?.getExtent() ?? null;
    if (zoom && extent) this.map.getView().fit(extent, { padding: [80, 80, 80, 80], maxZoom: 18, duration: 250 });
    return extent;
  }

  /** Every layer the switcher shows, with its group. */
  allGroups(): LayerGroup[] {
    return this.map.getLayers().getArray().filter((l): l is LayerGroup => l instanceof LayerGroup);
  }

  static title(layer: BaseLayer): string {
    return String(layer.get('title') ?? '');
  }
}

/** The style of a kind (styles/{kind}.json), "other" for kinds without one. */
const styleFor = (kind: string) => ((KIND_ORDER as readonly string[]).includes(kind) ? kind : 'other');
