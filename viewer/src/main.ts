// The web map viewer: wires the map, the panels and the link together for one city at a time.

import 'ol/ol.css';
import './style.css';
import './fonts.css';
import { getCenter } from 'ol/extent';
import { fromLonLat } from 'ol/proj';
import { collectionId, getJson, type City, type FindingProperties, type LayerInfo, type ViewerConfig } from './api';
import { Session } from './auth';
import { CityMap } from './citymap';
import { ContributePanel } from './contribute';
import { byId, clear, h } from './dom';
import { renderLegend } from './legend';
import { Measure, type MeasureMode } from './measure';
import { applyLinkLayers, applyLinkView, readLink, writeLink, type LinkState } from './permalink';
import { FeaturePopup } from './popup';
import { ReadinessPanel } from './readiness';
import { ReviewPanel } from './review';
import { LayerSwitcher } from './switcher';
import { AttributeTable } from './table';
import { UploadForm } from './upload';

const INDIA = [68.1, 6.5, 97.5, 37.1];
const PANELS = ['layers', 'readiness', 'upload', 'contribute', 'review', 'account'];
const phone = window.matchMedia('(max-width: 700px)');

class Viewer {
  private cityId = '';
  private layers: LayerInfo[] = [];
  private readonly cityMap: CityMap;
  private readonly popup: FeaturePopup;
  private readonly table: AttributeTable;
  private readonly switcher: LayerSwitcher;
  private readonly readiness: ReadinessPanel;
  private readonly upload: UploadForm;
  private readonly measure: Measure;
  private readonly session: Session;
  private readonly contribute: ContributePanel;
  private readonly review: ReviewPanel;

  constructor(config: ViewerConfig, private readonly cities: City[]) {
    this.cityMap = new CityMap(byId('map'), config);
    const refresh = () => { renderLegend(byId('legend'), this.cityMap); writeLink(this.cityMap, this.cityId); };
    this.switcher = new LayerSwitcher(byId('switcher'), this.cityMap, { changed: refresh, openTable: (id) => this.table.open(id) });
    this.popup = new FeaturePopup(this.cityMap, {
      showFinding: (finding) => void this.showFinding(finding, null),
      zoomToFeature: (layerId, featureId) => void this.zoomToFeature(layerId, featureId),
      mayRevert: () => this.session.may('contributor'),
    });
    this.table = new AttributeTable(this.cityMap, (open) => document.body.classList.toggle('table-open', open));
    this.readiness = new ReadinessPanel({
      checked: async (city, hasCheck) => {
        await this.cityMap.showFindings(hasCheck ? city : null);
        this.switcher.render();
        refresh();
      },
      showFinding: (finding, geometry) => void this.showFinding(finding, geometry),
    }, this.cityMap.findingsLayer);
    this.cityMap.findingsLayer.on('change:visible', () => { this.switcher.render(); refresh(); });
    this.upload = new UploadForm({ city: () => this.cityId, imported: (layer, check) => this.imported(layer, check) });
    this.upload.setLimit(config.maxUploadMb);
    this.measure = new Measure(this.cityMap.map, (mode, result) => this.measured(mode, result));
    this.contribute = new ContributePanel(this.cityMap, { editing: (active) => { this.popup.enabled = !active; } });
    this.review = new ReviewPanel(this.cityMap, { city: () => this.cityId, accepted: (layerId) => this.cityMap.refreshLayer(layerId) });
    this.session = new Session(() => this.signedIn());
    this.cityMap.map.on('moveend', () => writeLink(this.cityMap, this.cityId));
    this.wireToolbar();

    const select = byId<HTMLSelectElement>('city');
    clear(select, ...cities.map((c) => h('option', { value: c.id }, c.name)));
    select.addEventListener('change', () => void this.showCity(select.value, null));
  }

  async start(link: LinkState) {
    const city = this.cities.find((c) => c.id === link.city) ?? this.cities[0];
    if (!city) {
      this.say('No city is loaded yet: create one with POST /api/cities (see the README).');
      this.cityMap.fitBbox(INDIA, 5);
      return;
    }
    await Promise.all([this.session.load(), this.showCity(city.id, link)]);
    // The first complete render of the city's layers: what the 2 s budget is about (tools/bench/viewer reads it).
    this.cityMap.map.once('rendercomplete', () => {
      const mark = performance.mark('sr:first-render');
      document.documentElement.dataset.firstRenderMs = mark.startTime.toFixed(0);
    });
    this.cityMap.map.render();
  }

  /** Shows a city: its layers, the view (from the link, else the city's extent), its readiness and findings. */
  private async showCity(cityId: string, link: LinkState | null, keepView = false) {
    this.cityId = cityId;
    byId<HTMLSelectElement>('city').value = cityId;
    this.popup.close();
    this.cityMap.highlightFeature(null, false);
    this.layers = await getJson<LayerInfo[]>(`/api/cities/${encodeURIComponent(cityId)}/layers`);
    await this.cityMap.showLayers(this.layers);
    if (link) applyLinkLayers(this.cityMap, link);
    if (link) this.cityMap.findingsLayer.setVisible(link.findings);
    if (!keepView && !(link && applyLinkView(this.cityMap, link))) this.cityMap.fitBbox(this.extentOf(cityId));
    this.switcher.render();
    this.table.setLayers(this.layers);
    renderLegend(byId('legend'), this.cityMap);
    writeLink(this.cityMap, cityId);
    document.title = `${this.cities.find((c) => c.id === cityId)?.name ?? cityId} — SpatialReadiness`;
    void this.readiness.load(cityId).catch((e: Error) => this.say(e.message));
    this.contribute.setLayers(this.layers);
    if (this.session.may('moderator')) void this.review.load().catch((e: Error) => this.say(e.message));
  }

  /** Signed in or out: the tools the role allows, and what they list for this account. */
  private signedIn() {
    const contributor = this.session.may('contributor'), moderator = this.session.may('moderator');
    byId('tool-contribute').hidden = !contributor;
    byId('tool-review').hidden = !moderator;
    const open = PANELS.find((p) => byId(`tool-${p}`).getAttribute('aria-expanded') === 'true');
    if ((open === 'contribute' && !contributor) || (open === 'review' && !moderator)) this.openPanel(null);
    if (!contributor) this.contribute.cancel();
    if (contributor) void this.contribute.loadMine().catch((e: Error) => this.say(e.message));
    if (moderator && this.cityId) void this.review.load().catch((e: Error) => this.say(e.message));
    if (!moderator) this.review.show(null);
  }

  private extentOf(cityId: string): number[] {
    const city = this.cities.find((c) => c.id === cityId);
    if (city?.bbox) return city.bbox;
    const boxes = this.layers.map((l) => l.bbox).filter((b): b is number[] => !!b);
    return boxes.length ? [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))] : INDIA;
  }

  /** A layer was uploaded: show it (on top of its kind, zoomed to), then check the city so its findings appear. */
  private async imported(layer: LayerInfo, runCheck: boolean) {
    const city = this.cities.find((c) => c.id === this.cityId);
    if (city && !city.bbox && layer.bbox) city.bbox = layer.bbox;
    await this.showCity(this.cityId, null, true);
    if (layer.bbox) this.cityMap.fitBbox(layer.bbox);
    if (runCheck) await this.readiness.runCheck();
  }

  private async feature(layerId: number, featureId: number) {
    const layer = this.layers.find((l) => l.id === layerId);
    if (!layer || layer.sensitive) return null;
    return getJson<{ geometry: object | null }>(`/ogc/collections/${encodeURIComponent(collectionId(layer))}/items/${featureId}?f=json`);
  }

  private async zoomToFeature(layerId: number, featureId: number) {
    this.cityMap.highlightFeature(await this.feature(layerId, featureId), true);
  }

  /** A finding from the list or the map: outline the feature it is about, and show its detail at its place. */
  private async showFinding(finding: FindingProperties, geometry: { type: string; coordinates: unknown } | null) {
    if (phone.matches) this.openPanel(null);
    const feature = finding.featureId !== null ? await this.feature(finding.layerId, finding.featureId).catch(() => null) : null;
    const extent = this.cityMap.highlightFeature(feature, true);
    const at = geometry?.type === 'Point' ? fromLonLat(geometry.coordinates as number[])
      : extent ? getCenter(extent) : this.cityMap.map.getView().getCenter()!;
    this.popup.showFindingAt(finding, at);
  }

  private wireToolbar() {
    for (const name of PANELS)
      byId(`tool-${name}`).addEventListener('click', () => this.openPanel(byId(`tool-${name}`).getAttribute('aria-expanded') === 'true' ? null : name));
    byId('tool-table').addEventListener('click', () => {
      if (this.table.isOpen) this.table.close();
      else if (this.cityMap.dataLayers.length) this.table.open((this.cityMap.dataLayers.find((d) => d.info.kind !== 'boundary') ?? this.cityMap.dataLayers[0]).info.id);
      else this.say('This city has no layers to tabulate.');
    });
    for (const mode of ['distance', 'area'] as MeasureMode[])
      byId(`tool-${mode}`).addEventListener('click', () => (this.measure.mode === mode ? this.measure.stop() : this.measure.start(mode)));
    byId('tool-measure-clear').addEventListener('click', () => { this.measure.stop(); this.measure.clear(); this.say(''); });
    this.openPanel(phone.matches ? null : 'layers');
  }

  /** One side panel at a time (null: none, the map takes the room). */
  private openPanel(name: string | null) {
    for (const panel of PANELS) {
      byId(`panel-${panel}`).hidden = panel !== name;
      byId(`tool-${panel}`).setAttribute('aria-expanded', String(panel === name));
    }
    document.body.classList.toggle('side-open', name !== null);
    this.cityMap.map.updateSize();
  }

  private measured(mode: MeasureMode | null, result: string | null) {
    this.popup.enabled = mode === null;
    for (const m of ['distance', 'area']) byId(`tool-${m}`).setAttribute('aria-pressed', String(m === mode));
    byId('tool-measure-clear').hidden = !mode && !result;
    this.say(mode ? `Measuring ${mode}: click to add points, double-click to finish, Escape to stop.${result ? ` ${result}` : ''}` : result ? `Measured: ${result}` : '');
  }

  private say(text: string) {
    byId('message').textContent = text;
  }
}

async function main() {
  try {
    const [config, cities] = await Promise.all([getJson<ViewerConfig>('/api/viewer/config'), getJson<City[]>('/api/cities')]);
    await new Viewer(config, cities).start(readLink());
  } catch (e) {
    byId('message').textContent = e instanceof Error ? e.message : String(e);
  }
}

void main();
