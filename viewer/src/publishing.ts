// The city's open-data picture (DMAF 4.b–4.d) in the readiness panel, apart from the score: datasets published,
// update schedules kept (overdue layers flagged), APIs offered, each with its basis; and where portals harvest.

import { getJson } from './api';
import { h } from './dom';

interface PublishingItem { code: string; title: string; display: string; basis: string }
interface LayerSchedule { layer: string; title: string; updateFrequency: string | null; nextDue: string | null; overdue: boolean }
interface PublishingPicture {
  city: string;
  items: PublishingItem[];
  schedule: LayerSchedule[];
  catalogUrl: string;
  ckanUrl: string;
}

/** The section for a city, or a note saying why it could not be read. */
export async function publishingSection(city: string): Promise<HTMLElement> {
  try {
    const picture = await getJson<PublishingPicture>(`/api/cities/${encodeURIComponent(city)}/publishing`);
    const overdue = picture.schedule.filter((s) => s.overdue);
    return h('section', { id: 'publishing', class: 'publishing' },
      h('h3', {}, 'Open-data publishing (DMAF 4.b–4.d)'),
      h('p', { class: 'muted' }, 'Not part of SRS-20. Portals harvest the ', h('a', { href: picture.catalogUrl, target: '_blank', rel: 'noopener' }, 'DCAT catalogue'),
        ' or the ', h('a', { href: picture.ckanUrl, target: '_blank', rel: 'noopener' }, 'CKAN API'), '.'),
      h('dl', { class: 'publishing-items' }, ...picture.items.flatMap((item) => [
        h('dt', {}, `${item.code} ${item.title}: `, h('strong', { class: 'publishing-value' }, item.display)),
        h('dd', { class: 'muted' }, item.basis)])),
      overdue.length === 0
        ? h('p', { id: 'overdue-layers', class: 'muted' }, 'No layer is overdue for its update.')
        : h('ul', { id: 'overdue-layers' }, ...overdue.map((s) => h('li', { class: 'overdue' },
          h('span', { class: 'severity severity-error' }, 'overdue'), ` ${s.title} (${s.updateFrequency}): due ${s.nextDue?.slice(0, 10) ?? ''}`))));
  } catch (e) {
    return h('p', { role: 'alert' }, `Publishing picture: ${e instanceof Error ? e.message : String(e)}`);
  }
}
