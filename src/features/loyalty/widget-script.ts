/**
 * The storefront widget, `<hearth-loyalty>`: a plain custom element with no framework and no build step,
 * served as `/widget/hearth-loyalty.js` to the store's pages (another origin). The store's server
 * renders the element with the signed-in customer's store id and its HMAC-SHA256 digest:
 *
 *   <script src="https://community.example.com/widget/hearth-loyalty.js" defer></script>
 *   <hearth-loyalty customer="7781" digest="…hex…"></hearth-loyalty>
 *
 * It reads `/widget/v1/customer` on the Hearth it was loaded from (or the `api` attribute's origin) and
 * renders into a shadow root: balance, what it is worth, tier, and the rewards the customer can redeem
 * with a link to `/points`; without a customer (or with a refused digest), a join / sign-in prompt and the
 * ways to earn. Text is set with textContent, never as HTML. Styles live in a constructed stylesheet
 * (allowed by a strict CSP) and follow the store through `--hearth-*` custom properties.
 *
 * Kept as a string so the server bundle carries it: it is the file as browsers receive it.
 */
export const widgetScript = String.raw`/* <hearth-loyalty>: Hearth's storefront points widget. */
(function () {
  'use strict';
  if (!window.customElements || customElements.get('hearth-loyalty')) return;
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : location.origin;
  var css = [
    ':host{display:block;font:inherit;color:var(--hearth-text,#1f2328);max-width:var(--hearth-max-width,26rem)}',
    ':host([hidden]){display:none}',
    '.card{border:1px solid var(--hearth-border,#d8dce1);border-radius:var(--hearth-radius,12px);background:var(--hearth-surface,#fff);padding:1rem 1.25rem;box-shadow:0 1px 2px rgba(0,0,0,.05)}',
    'h2{font-size:1.05rem;margin:0 0 .5rem}h3{font-size:.9rem;margin:1rem 0 .4rem}',
    'p{margin:.25rem 0}ul{list-style:none;margin:0;padding:0}li{display:flex;justify-content:space-between;gap:.75rem;padding:.4rem 0;border-top:1px solid var(--hearth-border,#eceef1);font-size:.9rem}',
    '.balance{font-size:1.6rem;font-weight:700;line-height:1.2}.balance small{font-size:.9rem;font-weight:500;color:var(--hearth-muted,#59636e)}',
    'li.way{display:block}li.way strong{display:block;font-weight:600}',
    '.muted{color:var(--hearth-muted,#59636e);font-size:.85rem}.pts{white-space:nowrap;font-weight:600}',
    '.tier{display:inline-block;margin-top:.35rem;padding:.1rem .55rem;border-radius:999px;background:var(--hearth-accent-soft,#eef2ff);color:var(--hearth-accent,#3b4cca);font-size:.8rem;font-weight:600}',
    '.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}',
    'a.btn{display:inline-block;padding:.5rem .9rem;border-radius:8px;background:var(--hearth-accent,#3b4cca);color:var(--hearth-on-accent,#fff);text-decoration:none;font-weight:600;font-size:.9rem}',
    'a.btn.secondary{background:transparent;color:var(--hearth-accent,#3b4cca);border:1px solid currentColor}',
    'a:focus-visible{outline:2px solid var(--hearth-accent,#3b4cca);outline-offset:2px}'
  ].join('');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function n(x) { return Number(x).toLocaleString(); }

  var seq = 0;
  class HearthLoyalty extends HTMLElement {
    static get observedAttributes() { return ['customer', 'digest']; }

    connectedCallback() {
      if (!this.shadowRoot) {
        var root = this.attachShadow({ mode: 'open' });
        if ('adoptedStyleSheets' in root && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
          var sheet = new CSSStyleSheet();
          sheet.replaceSync(css);
          root.adoptedStyleSheets = [sheet];
        } else {
          root.appendChild(el('style', {}, [css]));
        }
        this.uid = 'hl' + ++seq;
      }
      this.load();
    }

    attributeChangedCallback() { if (this.shadowRoot) this.load(); }

    load() {
      var self = this;
      var url = new URL('/widget/v1/customer', this.getAttribute('api') || origin);
      var customer = this.getAttribute('customer');
      var digest = this.getAttribute('digest');
      if (customer && digest) { url.searchParams.set('customer', customer); url.searchParams.set('digest', digest); }
      this.show([el('p', { role: 'status', class: 'muted' }, ['Loading your rewards…'])], null);
      var ticket = (this.ticket = (this.ticket || 0) + 1);
      var get = function (u) { return fetch(u, { credentials: 'omit', headers: { accept: 'application/json' } }); };
      get(url.toString())
        .then(function (res) {
          if (res.ok) return res.json();
          // A refused or unconfigured signature still shows the program to the visitor.
          if (url.search && (res.status === 401 || res.status === 503)) {
            url.search = '';
            return get(url.toString()).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
          }
          throw new Error('HTTP ' + res.status);
        })
        .then(function (data) { if (ticket === self.ticket) self.render(data); })
        .catch(function () { if (ticket === self.ticket) self.show([el('p', { role: 'alert', class: 'muted' }, ['Rewards are unavailable right now.'])], null); });
    }

    show(children, title) {
      var root = this.shadowRoot;
      var titleId = this.uid + '-t';
      var attrs = title ? { class: 'card', 'aria-labelledby': titleId } : { class: 'card', 'aria-label': 'Rewards' };
      var section = el('section', attrs, [title ? el('h2', { id: titleId }, [title]) : null].concat(children));
      Array.prototype.slice.call(root.childNodes).forEach(function (c) { if (c.nodeName !== 'STYLE') root.removeChild(c); });
      root.appendChild(section);
    }

    render(d) {
      var p = d.program;
      var parts = [];
      if (d.customer) {
        var c = d.customer;
        parts.push(el('p', { class: 'balance' }, [n(c.balance) + ' points ', el('small', {}, ['worth ' + c.balanceValue])]));
        if (c.pending > 0) parts.push(el('p', { class: 'muted' }, [n(c.pending) + ' more points pending']));
        if (c.tier) parts.push(el('span', { class: 'tier' }, [c.tier.name + ' tier']));
        if (c.nextTier) parts.push(el('p', { class: 'muted' }, [c.nextTier.toGo + ' to ' + c.nextTier.name]));
        var ready = d.rewards.filter(function (r) { return r.redeemable; });
        var list = ready.length ? ready : d.rewards;
        parts.push(el('h3', {}, [ready.length ? 'Rewards you can redeem' : 'Rewards']));
        if (list.length) parts.push(el('ul', {}, list.slice(0, 5).map(function (r) { return el('li', {}, [el('span', {}, [r.name]), el('span', { class: 'pts' }, [n(r.points) + ' pts'])]); })));
        else parts.push(el('p', { class: 'muted' }, ['No rewards yet.']));
        parts.push(el('div', { class: 'actions' }, [el('a', { class: 'btn', href: p.redeemUrl }, [ready.length ? 'Redeem points' : 'See your points'])]));
      } else {
        parts.push(el('p', {}, ['Earn points every time you shop and take part, then spend them on rewards.']));
        if (d.waysToEarn.length) {
          parts.push(el('h3', {}, ['Ways to earn']));
          parts.push(el('ul', {}, d.waysToEarn.slice(0, 6).map(function (w) { return el('li', { class: 'way' }, [el('strong', {}, [w.label]), el('span', { class: 'muted' }, [w.description])]); })));
        }
        parts.push(el('div', { class: 'actions' }, [el('a', { class: 'btn', href: p.joinUrl }, ['Join']), el('a', { class: 'btn secondary', href: p.signInUrl }, ['Sign in'])]));
      }
      this.show(parts, p.name);
    }
  }

  customElements.define('hearth-loyalty', HearthLoyalty);
})();
`;
