// The explanation of a match: each feature, its score, its weight and
// what it contributed, drawn as a table with bars.
import {h} from '../dom.js';

const FEATURE = {name: 'Name', dob: 'Date of birth', nationality: 'Nationality', document: 'Document', sex: 'Sex',
  place: 'Place of birth', refusal: 'Earlier refusal', alert: 'Document alert'};

// counted is what a feature added to the score: a gain is its weight times
// its score; a negative weight is a penalty applied as it stands.
function counted(f) {
  const w = f.weight ?? 1;
  return w < 0 ? w : w * f.score;
}

/** explainTable renders features as rows: which part matched and how much it counted. */
export function explainTable(features) {
  const total = features.reduce((s, f) => s + Math.abs(counted(f)), 0) || 1;
  return h('table', {class: 'explain'},
    h('caption', {class: 'sr-only'}, 'Why this matched'),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Feature'), h('th', {scope: 'col'}, 'Score'),
      h('th', {scope: 'col'}, 'Weight'), h('th', {scope: 'col'}, 'Counted'), h('th', {scope: 'col'}, 'Detail'))),
    h('tbody', {}, features.map((f) => {
      const w = f.weight ?? 1;
      const contrib = counted(f);
      const pct = Math.round((Math.abs(contrib) / total) * 100);
      return h('tr', {dataset: {feature: f.feature}},
        h('th', {scope: 'row'}, FEATURE[f.feature] || f.feature),
        h('td', {class: 'num'}, Number(f.score).toFixed(2)),
        h('td', {class: 'num'}, w.toFixed(2)),
        h('td', {class: 'num'}, h('span', {class: 'bar' + (w < 0 || contrib < 0 ? ' neg' : ''), style: `width:${(pct * 0.04).toFixed(2)}rem`, 'aria-hidden': 'true'}),
          ` ${contrib >= 0 ? '+' : '−'}${Math.abs(contrib).toFixed(2)}`),
        h('td', {class: 'detail'}, f.detail || ''));
    })));
}
