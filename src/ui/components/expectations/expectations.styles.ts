import { css } from 'lit';

export default css`
  :host {
    display: block;
    overflow: auto;
    min-height: 0;
    font-size: var(--kw-font-size);
    color: var(--kw-text);
    background: var(--kw-panel);
  }
  .summary {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    align-items: baseline;
    padding: 6px 10px;
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  .verdict {
    font-weight: 700;
  }
  .verdict.pass {
    color: var(--kw-pass);
  }
  .verdict.fail {
    color: var(--kw-fail);
  }
  .stop,
  .sampled {
    flex-basis: 100%;
    color: var(--kw-warn);
    font-size: 12px;
  }
  .hash {
    font: 11px var(--kw-mono);
    color: var(--kw-faint);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    max-width: 100%;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    border-bottom: 1px solid #eef0f3;
  }
  li > button {
    all: unset;
    box-sizing: border-box;
    display: grid;
    grid-template-columns: 44px 1fr auto;
    gap: 2px 8px;
    width: 100%;
    padding: 5px 10px;
    cursor: pointer;
  }
  li > button:hover,
  li > button:focus-visible {
    background: #f2f6ff;
  }
  li > button:disabled {
    cursor: default;
  }
  li[aria-current='true'] > button {
    background: var(--kw-accent-soft);
  }
  .badge {
    grid-row: span 2;
    align-self: start;
    text-align: center;
    font-size: 11px;
    font-weight: 700;
    text-transform: uppercase;
    border-radius: 3px;
    padding: 1px 0;
  }
  .pass .badge {
    background: var(--kw-pass-soft);
    color: var(--kw-pass);
  }
  .fail .badge {
    background: var(--kw-fail);
    color: #fff;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .jump {
    font-size: 11px;
    color: var(--kw-accent);
    white-space: nowrap;
  }
  .msg {
    grid-column: 2 / span 2;
    font: var(--kw-mono-size) / 1.4 var(--kw-mono);
    color: var(--kw-muted);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .fail .msg {
    color: #7f1d1d;
  }
  h3 {
    margin: 10px 10px 4px;
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--kw-muted);
  }
  table {
    border-collapse: collapse;
    margin: 0 10px 10px;
    font-size: 12px;
  }
  th,
  td {
    text-align: left;
    padding: 2px 8px 2px 0;
    vertical-align: top;
  }
  td.mono {
    font-family: var(--kw-mono);
  }
  .empty {
    padding: 12px;
    color: var(--kw-muted);
  }
  .timeline li {
    padding: 2px 10px;
    font: var(--kw-mono-size) var(--kw-mono);
    border: 0;
  }
`;
