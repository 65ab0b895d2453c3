import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    min-width: 0;
    font-size: var(--kw-font-size);
    color: var(--kw-text);
    background: var(--kw-panel);
  }
  .bars {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 8px;
    padding: 4px 6px;
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  form {
    display: flex;
    gap: 4px;
    align-items: center;
    margin: 0;
    min-width: 0;
  }
  form.filter {
    flex: 3 1 300px;
  }
  form.search {
    flex: 1 1 200px;
  }
  input {
    flex: 1;
    min-width: 0;
    font: var(--kw-mono-size) var(--kw-mono);
    padding: 3px 6px;
    border: 1px solid var(--kw-border-strong);
    border-radius: var(--kw-radius);
    background: #fff;
  }
  input.ok {
    background: #e6f7e6;
    border-color: #5bb35b;
  }
  input.bad {
    background: #fde4e4;
    border-color: var(--kw-fail);
  }
  button {
    font: inherit;
    font-size: 12px;
    padding: 3px 8px;
    border: 1px solid var(--kw-border-strong);
    border-radius: var(--kw-radius);
    background: #fff;
    color: var(--kw-text);
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover {
    background: var(--kw-accent-soft);
  }
  .filter-error {
    flex-basis: 100%;
    color: var(--kw-fail);
    font: var(--kw-mono-size) var(--kw-mono);
    white-space: pre-wrap;
  }
  .scroller {
    flex: 1;
    min-height: 60px;
    overflow: auto;
    position: relative;
    outline: none;
    contain: strict;
  }
  .scroller:focus-visible {
    box-shadow: inset 0 0 0 2px var(--kw-focus);
  }
  .inner {
    position: relative;
    min-width: 722px;
  }
  .grid {
    display: grid;
    grid-template-columns: 64px 70px minmax(70px, 1fr) 66px minmax(96px, 0.8fr) minmax(96px, 0.8fr) 64px minmax(200px, 3.4fr);
  }
  .header {
    position: sticky;
    top: 0;
    z-index: 2;
    height: var(--kw-row-height);
    background: #e9ecf1;
    border-bottom: 1px solid var(--kw-border-strong);
    font-weight: 600;
    font-size: 12px;
  }
  .header > div {
    padding: 0 6px;
    line-height: var(--kw-row-height);
    border-right: 1px solid var(--kw-border);
    overflow: hidden;
    white-space: nowrap;
  }
  .rows {
    position: absolute;
    left: 0;
    right: 0;
    will-change: transform;
  }
  .row {
    height: var(--kw-row-height);
    line-height: var(--kw-row-height);
    font: var(--kw-mono-size) / var(--kw-row-height) var(--kw-mono);
    cursor: default;
    border-bottom: 1px solid rgba(0, 0, 0, 0.04);
    box-sizing: border-box;
    /* A row's text changing never moves anything outside it. */
    contain: content;
  }
  .row > div {
    padding: 0 6px;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }
  .num {
    text-align: right;
  }
  .row.tcp { background: var(--kw-row-tcp); }
  .row.udp { background: var(--kw-row-udp); }
  .row.dns { background: var(--kw-row-dns); }
  .row.http { background: var(--kw-row-http); }
  .row.arp { background: var(--kw-row-arp); }
  .row.icmp { background: var(--kw-row-icmp); }
  .row.decision { background: var(--kw-row-decision); color: var(--kw-row-decision-text); }
  .row.nat { background: var(--kw-row-nat); color: var(--kw-row-nat-text); font-weight: 600; }
  .row.drop { background: var(--kw-row-drop); color: var(--kw-row-drop-text); font-weight: 600; }
  .row.loading { color: var(--kw-faint); }
  .row:hover { filter: brightness(0.96); }
  .row[aria-selected='true'] {
    background: var(--kw-selected);
    color: var(--kw-selected-text);
    filter: none;
  }
  .kind {
    display: inline-block;
    min-width: 3.4ch;
    margin-right: 6px;
    font-size: 10px;
    font-weight: 700;
    text-align: center;
    opacity: 0.8;
  }
  .empty {
    padding: 16px;
    color: var(--kw-muted);
  }
  .status {
    display: flex;
    gap: 16px;
    padding: 2px 8px;
    border-top: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
    color: var(--kw-muted);
    font-size: 12px;
    white-space: nowrap;
    overflow: hidden;
  }
  .status .hidden-sel {
    color: var(--kw-warn);
    font-weight: 600;
  }
  .status .search-status {
    margin-left: auto;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .sampled {
    color: var(--kw-warn);
    cursor: help;
  }
  .legend span {
    display: inline-block;
    padding: 0 4px;
    border-radius: 2px;
    margin-left: 4px;
  }
  .legend .nat { background: var(--kw-row-nat); color: var(--kw-row-nat-text); }
  .legend .drop { background: var(--kw-row-drop); color: var(--kw-row-drop-text); }
`;
