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
  .empty {
    padding: 12px;
    color: var(--kw-muted);
  }
  header {
    padding: 6px 10px;
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  header .where {
    font-weight: 700;
  }
  header .what {
    font: var(--kw-mono-size) / 1.4 var(--kw-mono);
    color: var(--kw-muted);
    overflow-wrap: anywhere;
  }
  h3 {
    margin: 10px 10px 4px;
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--kw-muted);
  }
  ol.steps {
    margin: 0 10px;
    padding: 0;
    list-style: none;
    counter-reset: step;
  }
  ol.steps li {
    margin: 0;
  }
  ol.steps button {
    all: unset;
    box-sizing: border-box;
    display: grid;
    grid-template-columns: 46px 1fr;
    gap: 8px;
    width: 100%;
    padding: 3px 6px;
    border-left: 3px solid transparent;
    cursor: pointer;
    font: var(--kw-mono-size) / 1.4 var(--kw-mono);
  }
  ol.steps button:hover,
  ol.steps button:focus-visible {
    background: #f2f6ff;
  }
  ol.steps li[aria-current='true'] button {
    background: var(--kw-accent-soft);
    border-left-color: var(--kw-accent);
  }
  .k {
    font-family: var(--kw-font);
    font-size: 10px;
    font-weight: 700;
    text-align: center;
    border-radius: 3px;
    padding: 1px 0;
    align-self: start;
    background: #e5e7eb;
    color: #374151;
  }
  .k.netfilter { background: #e0e7ff; color: #3730a3; }
  .k.nat { background: var(--kw-row-nat); color: var(--kw-row-nat-text); }
  .k.drop { background: var(--kw-row-drop); color: #fff; }
  .k.route { background: #dcfce7; color: #166534; }
  .k.conntrack { background: #fae8ff; color: #86198f; }
  .k.l2 { background: #fef3c7; color: #92400e; }
  .k.sent, .k.received, .k.delivered { background: #e0f2fe; color: #075985; }
  .text {
    overflow-wrap: anywhere;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 2px 10px;
    margin: 0 10px;
    font-size: 12px;
  }
  dt {
    color: var(--kw-muted);
  }
  dd {
    margin: 0;
    font-family: var(--kw-mono);
    overflow-wrap: anywhere;
  }
  .none {
    margin: 0 10px;
    color: var(--kw-faint);
    font-size: 12px;
  }
  .verdict-ACCEPT { color: var(--kw-pass); font-weight: 700; }
  .verdict-DROP, .verdict-REJECT { color: var(--kw-fail); font-weight: 700; }
  .save {
    position: relative;
    margin: 4px 10px 10px;
    border: 1px solid var(--kw-border);
    border-radius: var(--kw-radius);
    max-height: 320px;
    overflow: auto;
    /* Marking other rules lays out only this box. */
    contain: content;
    font: 11px / 1.45 var(--kw-mono);
    background: #fbfbfc;
  }
  .save .l {
    padding: 0 6px;
    display: flex;
    gap: 8px;
  }
  .save .l > span:last-child {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    padding-left: 2ch;
    text-indent: -2ch;
  }
  .save .n {
    color: var(--kw-faint);
    user-select: none;
    min-width: 4ch;
    text-align: right;
    flex: none;
  }
  .save .l.table {
    font-weight: 700;
    color: var(--kw-accent);
  }
  .save .l.path {
    background: #eef2ff;
  }
  .save .l.hit {
    background: #fde68a;
    font-weight: 700;
  }
  .save .l.hit.selected {
    background: #f59e0b;
    color: #1f1300;
  }
  .save-head {
    display: flex;
    align-items: baseline;
    gap: 8px;
    margin: 0 10px;
    font-size: 12px;
    color: var(--kw-muted);
  }
  .save-head label {
    margin-left: auto;
  }
  .tuples {
    margin: 0 10px;
    border-collapse: collapse;
    font: 12px var(--kw-mono);
  }
  .tuples th {
    font-family: var(--kw-font);
    text-align: left;
    color: var(--kw-muted);
    font-weight: 500;
    padding-right: 10px;
  }
  .explain {
    margin: 2px 10px 0;
    font-size: 12px;
    color: var(--kw-muted);
  }
`;
