// Placeholder: filled in below.
import {h, clear} from '../dom.js';

/** render draws the view into root. */
export async function render(root) {
  clear(root, h('h1', {}, 'listings'));
}
