// The view as a shareable link: ?city=demopur&layers=2,3:60,4&findings=1&z=13.5&x=75.80123&y=20.90012
// (layers: the visible layers' ids, ":opacity%" when not opaque; absent means every layer).

import { toLonLat, fromLonLat } from 'ol/proj';
import type { CityMap } from './citymap';

export interface LinkState {
  city: string | null;
  layers: Map<number, number> | null;
  findings: boolean;
  zoom: number | null;
  center: [number, number] | null;
}

export function readLink(search = window.location.search): LinkState {
  const params = new URLSearchParams(search);
  const number = (name: string) => (params.get(name) !== null && Number.isFinite(Number(params.get(name))) ? Number(params.get(name)) : null);
  let layers: Map<number, number> | null = null;
  if (params.has('layers')) {
    layers = new Map();
    for (const part of (params.get('layers') ?? '').split(',').filter(Boolean)) {
      const [id, opacity] = part.split(':').map(Number);
      if (Number.isFinite(id)) layers.set(id, Number.isFinite(opacity) ? Math.min(100, Math.max(0, opacity)) / 100 : 1);
    }
  }
  const x = number('x'), y = number('y');
  return { city: params.get('city'), layers, findings: params.get('findings') !== '0', zoom: number('z'), center: x !== null && y !== null ? [x, y] : null };
}

/** Applies visibility and opacity from the link to the map's layers. */
export function applyLinkLayers(map: CityMap, state: LinkState) {
  if (!state.layers) return;
  for (const d of map.dataLayers) {
    const opacity = state.layers.get(d.info.id);
    d.layer.setVisible(opacity !== undefined);
    if (opacity !== undefined) d.layer.setOpacity(opacity);
  }
}

export function applyLinkView(map: CityMap, state: LinkState): boolean {
  if (state.zoom === null || state.center === null) return false;
  map.map.getView().setCenter(fromLonLat(state.center));
  map.map.getView().setZoom(state.zoom);
  return true;
}

export function writeLink(map: CityMap, city: string) {
  const view = map.map.getView();
  const center = view.getCenter();
  const params = new URLSearchParams({ city });
  const visible = map.dataLayers.filter((d) => d.layer.getVisible());
  if (visible.length !== map.dataLayers.length || visible.some((d) => d.layer.getOpacity() < 1))
    params.set('layers', visible.map((d) => (d.layer.getOpacity() < 1 ? `${d.info.id}:${Math.round(d.layer.getOpacity() * 100)}` : `${d.info.id}`)).join(','));
  if (!map.findingsLayer.getVisible()) params.set('findings', '0');
  if (center) {
    const [lon, lat] = toLonLat(center);
    params.set('z', (view.getZoom() ?? 0).toFixed(2));
    params.set('x', lon.toFixed(5));
    params.set('y', lat.toFixed(5));
  }
  const url = `${window.location.pathname}?${params.toString().replace(/%2C/g, ',').replace(/%3A/g, ':')}`;
  if (url !== window.location.pathname + window.location.search) window.history.replaceState(null, '', url);
}
