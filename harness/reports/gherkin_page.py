"""The Gherkin report's page: one self-contained HTML file, built in the browser from JSON.

:func:`render_page` embeds the report's data (:meth:`harness.reports.gherkin.GherkinReport.data`)
as JSON and a small script that builds the page from it: a summary, filters by outcome, tag
and text, then per feature its scenarios, per scenario its steps (or a Scenario Outline's
examples table, a row per outcome, each row opening its run). Text reaches the page through
``textContent``; only the evidence the Python side rendered and escaped (the timeline SVG,
the cycle and exchange tables) goes in as HTML. Colours meet WCAG AA contrast (4.5:1 for
text) on their backgrounds.
"""

from __future__ import annotations

import json
from typing import Any, Final

from harness.reports.redaction import esc

PAGE_CSS: Final = """
:root{--fg:#1f2328;--muted:#4d5560;--line:#d0d7de;--pass:#0f6b2f;--fail:#b3261e;--skip:#7a4a00;
--pass-bg:#e8f5ec;--fail-bg:#fdecea;--skip-bg:#fff4e0}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);margin:0;
font-size:14px;background:#fff}
header{padding:12px 20px;border-bottom:1px solid var(--line);position:sticky;top:0;background:#fff;
z-index:2}
header h1{font-size:18px;margin:0 0 4px}
.pv-meta{color:var(--muted);margin:0 0 8px}
.pv-filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.pv-filters label{white-space:nowrap}
.pv-tag-filter{border:1px solid var(--line);background:#f6f8fa;color:var(--fg);border-radius:12px;
padding:1px 9px;cursor:pointer;font:inherit}
.pv-tag-filter[aria-pressed=true]{background:#0b57d0;color:#fff;border-color:#0b57d0}
main{padding:8px 20px 40px}
section.pv-feature{margin:18px 0}
section.pv-feature>h2{font-size:17px;margin:0 0 2px}
.pv-file{color:var(--muted);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.pv-desc{color:var(--muted);white-space:pre-wrap;margin:4px 0}
.pv-tag{display:inline-block;background:#eef1f4;color:#24292f;border-radius:10px;padding:0 7px;
margin-right:4px;font-size:12px}
details.pv-scenario{border:1px solid var(--line);border-left:5px solid var(--pass);border-radius:4px;
margin:8px 0;padding:4px 10px}
details.pv-scenario.pv-out-failed,details.pv-scenario.pv-out-error{border-left-color:var(--fail)}
details.pv-scenario.pv-out-skipped,details.pv-scenario.pv-out-xfailed,
details.pv-scenario.pv-out-xpassed{border-left-color:#b06f00}
details.pv-scenario>summary{cursor:pointer;padding:4px 0}
.pv-scenario-title{font-weight:600}
.pv-badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;
margin-right:6px}
.pv-badge.pv-passed{background:var(--pass-bg);color:var(--pass)}
.pv-badge.pv-failed,.pv-badge.pv-error,.pv-badge.pv-undefined{background:var(--fail-bg);
color:var(--fail)}
.pv-badge.pv-skipped,.pv-badge.pv-xfailed,.pv-badge.pv-xpassed{background:var(--skip-bg);
color:var(--skip)}
.pv-dur{color:var(--muted);font-size:12px;margin-left:6px}
ol.pv-steps{list-style:none;padding:0;margin:6px 0}
li.pv-step{padding:3px 6px;border-radius:3px}
li.pv-step.pv-failed,li.pv-step.pv-undefined{background:var(--fail-bg);
outline:2px solid var(--fail)}
li.pv-step.pv-skipped .pv-step-text{color:var(--muted)}
.pv-kw{font-weight:700;color:#6639ba;display:inline-block;min-width:3.4em}
.pv-step-status{font-size:12px;margin-left:8px}
.pv-step-status.pv-passed{color:var(--pass)}
.pv-step-status.pv-failed,.pv-step-status.pv-undefined{color:var(--fail);font-weight:600}
.pv-step-status.pv-skipped{color:var(--skip)}
.pv-message{white-space:pre-wrap;color:var(--fail);margin:4px 0 4px 3.4em;font-weight:600}
.pv-error{white-space:pre-wrap;color:var(--fail);font-weight:600;margin:6px 0}
pre.pv-traceback{background:#f6f8fa;border:1px solid var(--line);padding:6px;overflow:auto;
max-height:420px;font-size:12px}
details.pv-evidence{margin:2px 0 4px 3.4em}
details.pv-evidence>summary{color:#0b57d0;cursor:pointer;font-size:13px}
table.pv-examples,table.pv-cycles{border-collapse:collapse;margin:6px 0}
table.pv-examples th,table.pv-examples td,table.pv-cycles th,table.pv-cycles td{
border:1px solid var(--line);padding:2px 8px;text-align:left}
table.pv-examples th,table.pv-cycles th{background:#f6f8fa}
tr.pv-example{cursor:pointer}
tr.pv-example.pv-failed,tr.pv-example.pv-error{background:var(--fail-bg)}
.pv-o-quarantined td:last-child{color:#7a2f5e;font-weight:600}
.pv-o-failed td:last-child{color:var(--fail);font-weight:600}
.pv-example-run{border-top:1px dashed var(--line);margin-top:6px;padding-top:4px}
.pv-example-run>h4{margin:4px 0;font-size:13px}
.pv-scroll{overflow-x:auto;max-width:100%}
svg.pv-timeline{border:1px solid var(--line);border-radius:4px;max-width:100%;height:auto}
svg.pv-timeline.pv-wide{max-width:none}
table.pv-exchanges{border-collapse:collapse;width:100%;margin-top:4px;font-size:13px}
table.pv-exchanges th,table.pv-exchanges td{border-bottom:1px solid #e4e4e4;padding:3px 6px;
text-align:left;vertical-align:top}
table.pv-exchanges th{background:#f3f3f3}
table.pv-exchanges td.pv-target{font-family:ui-monospace,Menlo,Consolas,monospace;
word-break:break-all}
table.pv-exchanges td.pv-num,.pv-num{text-align:right}
tr.pv-violation{background:#fdecea}
.pv-s2xx{color:#006b4f;font-weight:600}.pv-s3xx{color:#0060a0;font-weight:600}
.pv-s4xx{color:#8a4b00;font-weight:600}.pv-s5xx,.pv-s0xx{color:#b3261e;font-weight:600}
.pv-good{color:#006b4f}.pv-bad{color:#b3261e;font-weight:600}
ul.pv-violations{margin:2px 0 4px 18px;padding:0;color:#8c1d18}
.pv-io{display:flex;flex-wrap:wrap;gap:8px}
.pv-io .pv-message{flex:1 1 340px;min-width:0;color:var(--fg);font-weight:400;margin:0;
white-space:normal}
.pv-io pre{background:#f7f7f7;border:1px solid #e4e4e4;padding:6px;margin:0 0 4px;
white-space:pre-wrap;word-break:break-word;max-height:360px;overflow:auto}
.pv-none{color:var(--muted);font-style:italic}
"""

_SCRIPT: Final = r"""
(function(){
const data = JSON.parse(document.getElementById('pv-data').textContent);
const $ = (tag, cls, text) => { const e = document.createElement(tag);
  if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const secs = s => s < 1 ? (s * 1000).toFixed(0) + ' ms' : s.toFixed(2) + ' s';
const tagsOf = (...lists) => [...new Set(lists.flat())].sort();
function tagList(tags){ const span = $('span'); for (const t of tags) span.append($('span', 'pv-tag', '@' + t)); return span; }
function badge(outcome){ return $('span', 'pv-badge pv-' + outcome, outcome); }

function stepItem(step){
  const li = $('li', 'pv-step pv-' + step.status);
  li.dataset.status = step.status;
  li.append($('span', 'pv-kw', step.keyword), $('span', 'pv-step-text', step.text));
  li.append($('span', 'pv-step-status pv-' + step.status, step.status));
  if (step.status !== 'skipped' && step.keyword) li.append($('span', 'pv-dur', secs(step.duration)));
  if (step.line) li.title = 'line ' + step.line;
  if (step.message) li.append($('div', 'pv-message', step.message));
  if (step.evidence){
    const d = $('details', 'pv-evidence');
    d.append($('summary', '', step.summary));
    const box = $('div', 'pv-scroll'); box.innerHTML = step.evidence; d.append(box);
    li.append(d);
  }
  return li;
}

function runBlock(run){
  const box = $('div', 'pv-run');
  box.dataset.nodeid = run.id;
  const steps = $('ol', 'pv-steps');
  for (const step of run.steps) steps.append(stepItem(step));
  if (!run.steps.length) steps.append($('li', 'pv-none', 'No Gherkin steps recorded for this test.'));
  box.append(steps);
  if (run.error) box.append($('div', 'pv-error', run.error));
  if (run.traceback){
    const d = $('details', 'pv-tb'); d.append($('summary', '', 'Traceback'));
    d.append($('pre', 'pv-traceback', run.traceback)); box.append(d);
  }
  if (run.timeline){
    const d = $('details', 'pv-timeline-box');
    d.open = run.outcome !== 'passed';
    d.append($('summary', '', 'Timeline: ' + run.cycles + ' entries on the virtual clock, ' + run.exchanges + ' SCIM exchanges'));
    const s = $('div', 'pv-scroll'); s.innerHTML = run.timeline; d.append(s); box.append(d);
  }
  return box;
}

function scenarioBlock(feature, sc){
  const d = $('details', 'pv-scenario pv-out-' + sc.outcome);
  const tags = tagsOf(feature.tags, sc.tags);
  d.dataset.outcome = sc.outcome; d.dataset.tags = tags.join(' ');
  d.dataset.text = (feature.name + ' ' + sc.name + ' ' + sc.runs.map(r => r.steps.map(s => s.text).join(' ')).join(' ')).toLowerCase();
  d.open = sc.outcome === 'failed' || sc.outcome === 'error';
  const sum = $('summary'); sum.append(badge(sc.outcome));
  const title = $('span', 'pv-scenario-title'); title.append($('span', 'pv-kw', sc.keyword + ':'), ' ', $('span', 'pv-scenario-name', sc.name));
  sum.append(title, ' ', tagList(sc.tags));
  const total = sc.runs.reduce((a, r) => a + r.duration, 0);
  sum.append($('span', 'pv-dur', secs(total) + (sc.line ? ' · line ' + sc.line : '')));
  d.append(sum);
  if (!sc.columns.length){ d.append(runBlock(sc.runs[0])); return d; }
  const table = $('table', 'pv-examples'); const head = $('tr');
  for (const c of sc.columns) head.append($('th', '', c));
  head.append($('th', '', 'outcome')); table.append($('thead')); table.tHead.append(head);
  const body = $('tbody'); table.append(body);
  d.append($('h4', '', 'Examples'), table);
  sc.runs.forEach((run, i) => {
    const tr = $('tr', 'pv-example pv-' + run.outcome);
    for (const c of sc.columns) tr.append($('td', '', run.example[c] ?? ''));
    const cell = $('td'); cell.append(badge(run.outcome)); tr.append(cell); body.append(tr);
    const block = $('div', 'pv-example-run');
    block.id = 'pv-ex-' + Math.random().toString(36).slice(2);
    block.append($('h4', '', 'Example: ' + sc.columns.map(c => c + ' = ' + (run.example[c] ?? '')).join(', ')));
    block.append(runBlock(run));
    block.hidden = run.outcome === 'passed';
    tr.addEventListener('click', () => { block.hidden = !block.hidden; });
    d.append(block);
  });
  return d;
}

const header = document.getElementById('pv-header');
const c = data.counts; const total = Object.values(c).reduce((a, b) => a + b, 0);
const meta = $('p', 'pv-meta');
meta.textContent = total + ' scenarios: ' + data.outcomes.filter(o => c[o]).map(o => c[o] + ' ' + o).join(', ') +
  ' · run ' + data.generated + ' · ' + secs(data.duration);
header.append(meta);
const filters = $('div', 'pv-filters'); header.append(filters);
const outcomeBoxes = {};
for (const o of data.outcomes){ if (!c[o]) continue;
  const label = $('label'); const box = $('input'); box.type = 'checkbox'; box.checked = true;
  box.className = 'pv-outcome-filter'; box.value = o; outcomeBoxes[o] = box;
  label.append(box, ' ' + o + ' (' + c[o] + ')'); filters.append(label); box.addEventListener('change', apply); }
const allTags = tagsOf(...data.features.map(f => tagsOf(f.tags, ...f.scenarios.map(s => s.tags))));
const chosen = new Set();
if (allTags.length){ filters.append($('span', 'pv-meta', 'Tags:'));
  for (const t of allTags){ const b = $('button', 'pv-tag-filter', '@' + t); b.type = 'button';
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', () => { if (chosen.has(t)) chosen.delete(t); else chosen.add(t);
      b.setAttribute('aria-pressed', String(chosen.has(t))); apply(); });
    filters.append(b); } }
const search = $('input', 'pv-search'); search.type = 'search'; search.placeholder = 'Find in titles and steps';
search.addEventListener('input', apply); filters.append(search);

const main = document.getElementById('pv-main');
for (const f of data.features){
  const sec = $('section', 'pv-feature');
  const h = $('h2'); h.append($('span', 'pv-kw', 'Feature:'), ' ', $('span', 'pv-feature-name', f.name)); sec.append(h);
  const file = $('div', 'pv-file', f.file); file.append(' ', tagList(f.tags)); sec.append(file);
  if (f.description) sec.append($('div', 'pv-desc', f.description));
  for (const sc of f.scenarios) sec.append(scenarioBlock(f, sc));
  main.append(sec);
}
if (!data.features.length) main.append($('p', 'pv-none', 'No scenarios ran.'));

function apply(){
  const text = search.value.trim().toLowerCase();
  for (const sec of main.querySelectorAll('section.pv-feature')){
    let shown = 0;
    for (const d of sec.querySelectorAll('details.pv-scenario')){
      const tags = d.dataset.tags ? d.dataset.tags.split(' ') : [];
      const ok = (outcomeBoxes[d.dataset.outcome] ? outcomeBoxes[d.dataset.outcome].checked : true)
        && (!chosen.size || tags.some(t => chosen.has(t)))
        && (!text || d.dataset.text.includes(text));
      d.hidden = !ok; if (ok) shown++;
    }
    sec.hidden = shown === 0;
  }
}
document.body.dataset.ready = 'true';
})();
"""


_DATA_OPEN: Final = '<script id="pv-data" type="application/json">'


def _json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``<`` can close it or open a comment."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def render_page(data: dict[str, Any]) -> str:
    """The whole report page for :meth:`GherkinReport.data`'s ``data``."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(data.get('title', 'provisim report'))}</title><style>{PAGE_CSS}</style></head>"
        f'<body><header id="pv-header"><h1>{esc(data.get("title", ""))}</h1></header>'
        '<main id="pv-main"></main>'
        f"{_DATA_OPEN}{_json_for_script(data)}</script>"
        f"<script>{_SCRIPT}</script>"
        "<noscript><p>This report is built by script: open it in a browser with JavaScript "
        "on. The same data is in junit.xml, cucumber.json and scenarios/*/.</p></noscript>"
        "</body></html>"
    )


def read_report_data(page: str) -> dict[str, Any]:
    """The data a report page was built from (for tools and tests that read a report)."""
    start = page.index(_DATA_OPEN) + len(_DATA_OPEN)
    data = json.loads(page[start : page.index("</script>", start)])
    if not isinstance(data, dict):
        raise ValueError("the report's data is not a JSON object")
    return data
