// An encounter's lifecycle between the two agencies it concerns (issue
// 15): the originator's acknowledgement (due by the action's escalation
// period, overdue past it) and the sharing of a false positive's
// clearance with partners — proposed by the reporting agency, granted,
// refused or revoked by the listing's originator. Each end sees the same
// state and gets the buttons that are its own to press.
import {api} from '../api.js';
import {h, clear, errorBox, fmtTime, toast} from '../dom.js';

const CLEARANCE_TEXT = {
  proposed: 'proposed to the originator',
  granted: 'granted: partners that may see the listing clear this traveller for it',
  refused: 'refused by the originator',
  revoked: 'revoked by the originator: partners stop this traveller again',
};

/** lifecycle returns the lifecycle block of encounter e as seen by me; it redraws itself after each step. */
export function lifecycle(e, me) {
  const box = h('section', {class: 'lifecycle', id: 'life-' + e.id, 'aria-label': 'Lifecycle', dataset: {acknowledged: e.acknowledged ? 'yes' : 'no',
    clearance: e.clearance ? e.clearance.status : ''}});
  draw(box, e, me);
  return box;
}

function draw(box, e, me) {
  box.dataset.acknowledged = e.acknowledged ? 'yes' : 'no';
  box.dataset.clearance = e.clearance ? e.clearance.status : '';
  const agency = me && me.agency;
  const partnerHit = e.agency && e.originator && e.agency !== e.originator;
  const rows = [];
  if (partnerHit || e.ack_due) {
    rows.push(h('p', {class: 'ack-state'}, 'Originator ', h('strong', {}, e.originator), ': ',
      e.acknowledged ? `acknowledged ${fmtTime(e.acknowledged)}` : ['not yet acknowledged', e.ack_due ? ` (due ${fmtTime(e.ack_due)})` : '',
        e.overdue ? [' ', h('span', {class: 'badge b-warn', id: 'overdue-' + e.id}, 'OVERDUE')] : '']));
  }
  if (e.clearance) {
    const c = e.clearance;
    rows.push(h('p', {class: 'clearance-state'}, 'Shared clearance: ', h('span', {class: c.status === 'granted' ? 'badge b-ok' : 'badge'}, c.status), ' ',
      CLEARANCE_TEXT[c.status] || '', c.reason ? ` — “${c.reason}”` : ''));
  }
  const buttons = [];
  const step = (label, body, cls) => {
    const b = h('button', {type: 'button', class: cls || 'secondary', dataset: {step: body.step || 'ack'}}, label);
    b.addEventListener('click', async () => {
      for (const x of buttons) x.disabled = true;
      try {
        const res = body.step
          ? (await api('POST', `/v1/encounters/${encodeURIComponent(e.id)}/clearance`, body)).encounter
          : await api('POST', `/v1/encounters/${encodeURIComponent(e.id)}/ack`);
        toast(body.step ? `Clearance ${res.clearance ? res.clearance.status : 'updated'}.` : 'Acknowledged.');
        draw(box, res, me);
      } catch (err) {
        for (const x of buttons) x.disabled = false;
        box.append(errorBox(err));
      }
    });
    buttons.push(b);
  };
  if (agency && agency === e.originator && partnerHit && !e.acknowledged) step('Acknowledge', {}, 'ok');
  const cs = e.clearance ? e.clearance.status : '';
  if (agency && agency === e.agency && partnerHit && e.outcome === 'false_positive' && (cs === '' || cs === 'refused' || cs === 'revoked')) {
    step('Share clearance with partners', {step: 'propose'});
  }
  if (agency && agency === e.originator && cs === 'proposed') {
    step('Grant clearance', {step: 'grant'}, 'ok');
    step('Refuse clearance', {step: 'refuse'}, 'danger');
  }
  if (agency && agency === e.originator && cs === 'granted') step('Revoke clearance', {step: 'revoke'}, 'danger');
  if (rows.length === 0 && buttons.length === 0) {
    clear(box);
    box.hidden = true;
    return;
  }
  box.hidden = false;
  clear(box, h('h3', {}, 'Lifecycle'), rows, buttons.length ? h('div', {class: 'actions'}, buttons) : null);
}
