// The readiness panel: the city's Spatial Readiness Score (SRS-20, SRS-100), bars per part, per layer and per rule,
// the findings as a list (and, through CityMap, as a map layer), and a button to run the check again.

import type BaseLayer from 'ol/layer/Base';
import { ApiError, delay, getJson, postJson, type CheckRun, type FindingProperties, type ReadinessScore } from './api';
import { byId, clear, formatNumber, h } from './dom';
import { publishingSection } from './publishing';

interface FindingsPage {
  numberMatched: number;
  features: { geometry: { type: string; coordinates: unknown } | null; properties: FindingProperties }[];
}

export interface ReadinessActions {
  /** The newest check changed (or the city did): redraw the findings layer; null when the city has no check. */
  checked(city: string, hasCheck: boolean): Promise<void>;
  showFinding(finding: FindingProperties, geometry: FindingsPage['features'][number]['geometry']): void;
}

const LISTED = 200;

export class ReadinessPanel {
  private city = '';
  private readonly element = byId('readiness-body');
  private readonly status = byId('readiness-status');

  constructor(private readonly actions: ReadinessActions, private readonly findingsLayer: BaseLayer) {
    byId('readiness-run').addEventListener('click', () => this.runCheck());
    findingsLayer.on('change:visible', () => {
      const toggle = document.getElementById('findings-visible') as HTMLInputElement | null;
      if (toggle) toggle.checked = findingsLayer.getVisible();
    });
  }

  async load(city: string) {
    this.city = city;
    const runs = await getJson<CheckRun[]>(`/api/cities/${encodeURIComponent(city)}/checks`);
    if (city !== this.city) return;
    if (!runs.some((r) => r.status === 'succeeded')) {
      clear(this.element, h('p', {}, 'No readiness check has run for this city yet. Run one to see its score and findings.'));
      await this.showPublishing(city);
      await this.actions.checked(city, false);
      return;
    }
    const score = await getJson<ReadinessScore>(`/api/cities/${encodeURIComponent(city)}/readiness`);
    if (city !== this.city) return;
    this.render(score);
    await this.showPublishing(city);
    await this.actions.checked(city, true);
    await this.listFindings('');
  }

  /** Appends the 4.b–4.d picture below the score (or the note that there is none yet). */
  private async showPublishing(city: string) {
    const section = await publishingSection(city);
    if (city === this.city) this.element.append(section);
  }

  /** Starts a check (or joins the one running) and follows it to the end. */
  async runCheck() {
    const city = this.city;
    const button = byId<HTMLButtonElement>('readiness-run');
    button.disabled = true;
    try {
      let { value: run, location } = await postJson<CheckRun>(`/api/cities/${encodeURIComponent(city)}/checks`, {}, 'run a readiness check');
      location ??= `/api/cities/${encodeURIComponent(city)}/checks/${run.id}`;
      while (run.status === 'queued' || run.status === 'running') {
        this.status.textContent = `Checking ${city}: step ${run.stepsDone} of ${run.stepsTotal}${run.currentStep ? ` (${run.currentStep})` : ''}…`;
        await delay(400);
        run = await getJson<CheckRun>(location);
      }
      if (run.status !== 'succeeded') throw new ApiError(500, `The check ${run.status}${run.error ? `: ${run.error}` : '.'}`);
      this.status.textContent = `Check finished: ${formatNumber(run.findingCount)} findings.`;
      if (city === this.city) await this.load(city);
    } catch (e) {
      this.status.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      button.disabled = false;
    }
  }

  private render(score: ReadinessScore) {
    const rules = new Map<string, { title: string; findings: number; lost: number; layers: number }>();
    for (const layer of score.layers)
      for (const rule of layer.rules.filter((r) => r.applicable)) {
        const total = rules.get(rule.rule) ?? { title: rule.title, findings: 0, lost: 0, layers: 0 };
        total.findings += rule.findings;
        total.lost += rule.lost;
        if (rule.offending > 0) total.layers++;
        rules.set(rule.rule, total);
      }
    const maxFindings = Math.max(1, ...[...rules.values()].map((r) => r.findings));
    const ruleSelect = h('select', { id: 'findings-rule', onchange: (e: Event) => this.listFindings((e.target as HTMLSelectElement).value) },
      h('option', { value: '' }, 'All rules'), ...[...rules.keys()].sort().map((code) => h('option', { value: code }, code)));
    clear(this.element,
      h('div', { class: 'score', 'aria-label': 'Spatial Readiness Score' },
        h('div', {}, h('span', { class: 'score-value', id: 'srs20' }, formatNumber(score.srs20, 2)), h('span', { class: 'score-max' }, ' / 20'), h('div', { class: 'muted' }, 'SRS-20')),
        h('div', {}, h('span', { class: 'score-value', id: 'srs100' }, formatNumber(score.srs100, 1)), h('span', { class: 'score-max' }, ' / 100'), h('div', { class: 'muted' }, 'SRS-100'))),
      h('p', { class: 'muted' }, `Rule set ${score.ruleSetVersion}, checked ${new Date(score.evaluatedAt).toLocaleString('en-IN')}. `,
        h('a', { href: `/api/cities/${encodeURIComponent(score.city)}/readiness/report`, target: '_blank', rel: 'noopener' }, 'Full report')),
      h('h3', {}, 'By part'),
      bars(score.parts.map((p) => ({ label: `${p.code}. ${p.title}`, value: p.marks, max: p.maxMarks, text: `${formatNumber(p.marks, 2)} / ${p.maxMarks}` }))),
      h('h3', {}, 'By layer (quality 0–100)'),
      bars(score.layers.map((l) => ({ label: `${l.title} (${l.kind})`, value: l.quality, max: 100, text: l.gate ? `0 — ${l.gate}` : formatNumber(l.quality, 1) }))),
      h('h3', {}, 'By rule (findings)'),
      bars([...rules.entries()].map(([code, r]) => ({
        label: `${code}: ${r.title}`, value: r.findings, max: maxFindings,
        text: `${formatNumber(r.findings)}${r.lost > 0 ? `, −${formatNumber(r.lost, 1)} over ${r.layers} layer${r.layers === 1 ? '' : 's'}` : ''}`,
      }))),
      h('h3', {}, 'Findings'),
      h('label', { class: 'inline' },
        h('input', { type: 'checkbox', id: 'findings-visible', checked: this.findingsLayer.getVisible(), onchange: (e: Event) => this.findingsLayer.setVisible((e.target as HTMLInputElement).checked) }),
        ' Show the findings on the map'),
      h('div', {}, h('label', { for: 'findings-rule' }, 'Rule '), ruleSelect),
      h('div', { id: 'findings-list', class: 'findings-list' }));
  }

  private async listFindings(rule: string) {
    const list = byId('findings-list');
    const query = new URLSearchParams({ limit: String(LISTED) });
    if (rule) query.set('rule', rule);
    try {
      const page = await getJson<FindingsPage>(`/api/cities/${encodeURIComponent(this.city)}/findings?${query}`);
      clear(list,
        h('p', { class: 'muted', id: 'findings-count' }, `${formatNumber(page.numberMatched)} findings${page.numberMatched > LISTED ? `, the first ${LISTED} listed` : ''}. Choose one to see it on the map.`),
        h('ul', {}, ...page.features.map((f) => h('li', {},
          h('button', { type: 'button', class: 'finding', onclick: () => this.actions.showFinding(f.properties, f.geometry) },
            h('span', { class: `severity severity-${f.properties.severity}` }, f.properties.severity), ' ',
            h('strong', {}, f.properties.rule), ` ${f.properties.layer}${f.properties.feature ? ` ${f.properties.feature}` : ''}: ${f.properties.detail}`)))));
    } catch (e) {
      clear(list, h('p', { role: 'alert' }, e instanceof Error ? e.message : String(e)));
    }
  }
}

function bars(rows: { label: string; value: number; max: number; text: string }[]) {
  return h('ul', { class: 'bars' }, ...rows.map((r) => h('li', {},
    h('span', { class: 'bar-label' }, r.label),
    h('span', { class: 'bar', role: 'img', 'aria-label': `${r.label}: ${r.text}` },
      h('span', { class: 'bar-fill', style: `width:${Math.max(0, Math.min(100, (100 * r.value) / (r.max || 1))).toFixed(1)}%` })),
    h('span', { class: 'bar-value' }, r.text))));
}
