// The monthly report: the dashboard's sections drawn from the month's data embedded in the page (no API
// calls; the printer allows no network), every table open, then `window.__reportReady` for the printer.
import {
  describeRangeAs,
  renderCampaigns,
  renderFollowers,
  renderKpi,
  renderQuotas,
  renderReads,
  renderSla,
  renderTopArticles,
} from './portal-sections.js';

const data = JSON.parse(document.getElementById('report-data').textContent);
// Print resolution, and no animation: the printer takes the page as soon as it is ready.
window.Chart.defaults.devicePixelRatio = 2;
window.Chart.defaults.animation = false;

describeRangeAs('本月');
renderKpi(data.kpi);
renderFollowers(data.daily, data.kpi);
renderReads(data.weekly, data.kpi);
renderQuotas(data.kpi);
renderSla(data.kpi);
renderCampaigns(data.campaigns);
renderTopArticles(data.topArticles);
for (const d of document.querySelectorAll('details')) d.open = true;
window.__reportReady = true;
