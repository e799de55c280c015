// Matches on a partner's blind list (issue 20): this node holds nothing of
// the listing, only what its originator sealed for screeners, so a blind
// match shows the originator's contact and the action, and nothing else —
// no listing link, no name, no score, no explanation.
import {h, actionLabel, dl} from '../dom.js';

/** isBlind reports whether a match is on a partner's blind list. */
export function isBlind(m) {
  return typeof m.listing === 'string' && m.listing.startsWith('blind:');
}

/** blindMatch draws a blind match: whom to call, and what to do. */
export function blindMatch(m) {
  return h('article', {class: 'match blind', dataset: {blind: 'true'}},
    h('h3', {}, 'Possible match on a partner\'s blind list', ' ',
      h('span', {class: `badge b-${m.decision}`}, (m.decision || '').toUpperCase())),
    h('p', {class: 'blind-instruction'}, m.instruction || ''),
    dl([['Action', actionLabel(m.action), 'blind-action'], ['Contact', m.contact || 'the originating agency', 'blind-contact']]));
}

/** blindLabel names a blind match in a table cell. */
export function blindLabel(m) {
  return 'Blind list: contact ' + (m.contact || 'the originator');
}
